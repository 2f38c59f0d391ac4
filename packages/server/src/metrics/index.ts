import { collectDefaultMetrics, Registry } from 'prom-client';
import type { HealthModel } from '../model/health-model.js';
import { registerHealthGauges } from './health-gauges.js';
import { type NotificationMetrics, registerNotificationMetrics } from './notifications.js';
import { observeProbeDurations } from './probe-durations.js';

export {
  NO_NOTIFICATION_METRICS,
  type NotificationMetrics,
  type NotificationOutcome,
} from './notifications.js';

/** The Prometheus side of one running server; main creates it when `[prometheus] enabled = true`. */
export interface VigilMetrics {
  /** Private to this server (never prom-client's global registry), so tests can run several. */
  readonly registry: Registry;
  /** Handed to the notification dispatcher. */
  readonly notifications: NotificationMetrics;
}

/**
 * Health gauges read from the model at scrape time, a histogram of check durations, notification
 * counters, and prom-client's process metrics (CPU, memory, GC, event-loop lag as
 * `nodejs_eventloop_lag_seconds`). The reporter request counter hooks the web app: see
 * web/routes/metrics.ts.
 */
export function createVigilMetrics(model: HealthModel): VigilMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerHealthGauges(registry, model);
  observeProbeDurations(registry, model);
  return { registry, notifications: registerNotificationMetrics(registry) };
}
