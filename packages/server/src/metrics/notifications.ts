import { Counter, type Registry } from 'prom-client';

/**
 * How one delivery attempt of one alert to one channel ended: `delivered`; `retrying` (it failed
 * and another attempt is scheduled, the outbox's `pending`); `failed` (it failed and was the last).
 */
export type NotificationOutcome = 'delivered' | 'retrying' | 'failed';

/**
 * What the notification dispatcher reports after each attempt: `metrics.record('slack', 'slack#ops',
 * 'retrying')`. `target` tells the entries of a `[[notify.slack]]` array apart; it equals the
 * channel for a single `[notify.slack]` table.
 */
export interface NotificationMetrics {
  record(channel: string, target: string, outcome: NotificationOutcome): void;
}

/** For when `/metrics` is off: the dispatcher calls it without checking. */
export const NO_NOTIFICATION_METRICS: NotificationMetrics = { record: () => undefined };

export function registerNotificationMetrics(registry: Registry): NotificationMetrics {
  const counter = new Counter({
    name: 'vigil_notification_attempts_total',
    help: 'Notification delivery attempts, by channel, target and outcome (delivered, retrying, failed)',
    labelNames: ['channel', 'target', 'outcome'],
    registers: [registry],
  });
  return { record: (channel, target, outcome) => counter.inc({ channel, target, outcome }) };
}
