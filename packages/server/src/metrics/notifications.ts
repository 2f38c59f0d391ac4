import { Counter, type Registry } from 'prom-client';
import type { NotificationMetrics } from './notification-outcomes.js';

/** The notification attempt counter, in the given registry. */
export function registerNotificationMetrics(registry: Registry): NotificationMetrics {
  const counter = new Counter({
    name: 'vigil_notification_attempts_total',
    help: 'Notification delivery attempts, by channel, target and outcome (delivered, retrying, failed)',
    labelNames: ['channel', 'target', 'outcome'],
    registers: [registry],
  });
  return { record: (channel, target, outcome) => counter.inc({ channel, target, outcome }) };
}
