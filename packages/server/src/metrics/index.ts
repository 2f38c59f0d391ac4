import { collectDefaultMetrics, Registry } from 'prom-client';
import type { HealthModel } from '../model/health-model.js';
import { registerHealthGauges } from './health-gauges.js';
import type { NotificationMetrics } from './notification-outcomes.js';
import { registerNotificationMetrics } from './notifications.js';
import { observeProbeDurations } from './probe-durations.js';
import { type ReporterRequestCounter, registerReporterRequests } from './reporter-requests.js';

export {
  NO_NOTIFICATION_METRICS,
  type NotificationMetrics,
  type NotificationOutcome,
} from './notification-outcomes.js';

/** The Prometheus side of one running server; main creates it when `[prometheus] enabled = true`. */
export interface VigilMetrics {
  /** Private to this server (never prom-client's global registry), so tests can run several. */
  readonly registry: Registry;
  /** Handed to the notification dispatcher. */
  readonly notifications: NotificationMetrics;
  /** Called by the web app's hook for each reporter API request (web/routes/metrics.ts). */
  readonly reporterRequests: ReporterRequestCounter;
}

/**
 * Health gauges read from the model at scrape time, a histogram of check durations, notification
 * counters, and prom-client's process metrics (CPU, memory, GC, event-loop lag as
 * `nodejs_eventloop_lag_seconds`), and the reporter request counter the web app's hook feeds (see
 * web/routes/metrics.ts). Main imports this module only when `/metrics` is on: prom-client is
 * not loaded otherwise.
 */
export function createVigilMetrics(model: HealthModel): VigilMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerHealthGauges(registry, model);
  observeProbeDurations(registry, model);
  return {
    registry,
    notifications: registerNotificationMetrics(registry),
    reporterRequests: registerReporterRequests(registry),
  };
}
