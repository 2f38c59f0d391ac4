/**
 * How one delivery attempt of one alert to one channel ended: `delivered`; `retrying` (it failed
 * and another attempt is scheduled, the outbox's `pending`); `failed` (it failed and was the last).
 */
export type NotificationOutcome = 'delivered' | 'retrying' | 'failed';

/**
 * What the notification dispatcher reports after each attempt: `metrics.record('slack', 'slack#ops',
 * 'retrying')`. `target` tells the entries of a `[[notify.slack]]` array apart; it equals the
 * channel for a single `[notify.slack]` table. Apart from notifications.ts so that the dispatcher
 * does not load prom-client when `/metrics` is off.
 */
export interface NotificationMetrics {
  record(channel: string, target: string, outcome: NotificationOutcome): void;
}

/** For when `/metrics` is off: the dispatcher calls it without checking. */
export const NO_NOTIFICATION_METRICS: NotificationMetrics = { record: () => undefined };
