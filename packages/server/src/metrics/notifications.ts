import { Counter, type Registry } from 'prom-client';

/**
 * How one delivery attempt of one alert to one channel ended: `delivered`; `retrying` (it failed
 * and another attempt is scheduled, the outbox's `pending`); `failed` (it failed and was the last).
 */
export type NotificationOutcome = 'delivered' | 'retrying' | 'failed';

/** What the notification dispatcher reports after each attempt: `metrics.record('slack', 'retrying')`. */
export interface NotificationMetrics {
  record(channel: string, outcome: NotificationOutcome): void;
}

/** For when `/metrics` is off: the dispatcher calls it without checking. */
export const NO_NOTIFICATION_METRICS: NotificationMetrics = { record: () => undefined };

export function registerNotificationMetrics(registry: Registry): NotificationMetrics {
  const counter = new Counter({
    name: 'vigil_notification_attempts_total',
    help: 'Notification delivery attempts, by channel and outcome (delivered, retrying, failed)',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  return { record: (channel, outcome) => counter.inc({ channel, outcome }) };
}
