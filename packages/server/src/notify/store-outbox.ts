import type { OutboxItem, Store } from '../store/types.js';
import type { AlertState } from './alert-policy.js';
import { PAGE_WATCHER_KEY } from './channel-options.js';
import type { Delivery, Outbox } from './outbox.js';

/**
 * The dispatcher's outbox over the durable store (SQLite or PostgreSQL).
 *
 * Gaps until the store grows them, each safe but weaker than the port asks:
 * - the alert and its watcher state are two writes, alert first: a crash between them repeats the
 *   alert after a restart rather than losing it;
 * - only the page watcher's state is kept (`alerts.getAlertState`); channels with their own options
 *   (delay, notify_sick, filters) start from boot's state again after a restart;
 * - there is no query for finished deliveries, so `recentDeliveries` lists the pending ones.
 */
export function storeOutbox(store: Pick<Store, 'outbox' | 'alerts'>): Outbox {
  const { outbox, alerts } = store;

  const toDelivery = async (item: OutboxItem): Promise<Delivery> => {
    const attempts = (await outbox.attempts(item.alertId)).filter(
      (attempt) => attempt.channel === item.channel,
    );
    return {
      alert: item.alert,
      channel: item.channel,
      status: item.state,
      createdAtMs: item.createdAtMs,
      ...(item.state === 'pending' && { nextAttemptAtMs: item.dueAtMs }),
      attempts: attempts.map(({ attempt, atMs, error }) => ({
        number: attempt,
        atMs,
        ...(error !== undefined && { error }),
      })),
    };
  };

  const saveWatcherState: Outbox['saveWatcherState'] = async ({ key, state }) => {
    if (key !== PAGE_WATCHER_KEY) return;
    const { lastStatus, notifiedAtMs, escalateCounter, backoffCounter } = state;
    await alerts.setAlertState({
      pageStatus: lastStatus,
      escalateCounter,
      backoffCounter,
      ...(notifiedAtMs !== undefined && { notifiedAtMs }),
    });
  };

  return {
    async enqueue({ alert, channels, nowMs, watcher }) {
      await outbox.enqueue(alert, channels, nowMs);
      await saveWatcherState(watcher);
    },

    async nextPending(channel) {
      const item = (await outbox.pending()).find((each) => each.channel === channel);
      return item && toDelivery(item);
    },

    async recordAttempt(alertId, channel, attempt, outcome) {
      const ref = { alertId, channel };
      if (outcome.status === 'delivered') return outbox.complete(ref, attempt.atMs);
      await outbox.markAttempt(ref, {
        atMs: attempt.atMs,
        error: attempt.error ?? 'failed',
        ...(outcome.status === 'pending' && { retryAtMs: outcome.nextAttemptAtMs }),
      });
    },

    async recentDeliveries(limit) {
      const pending = (await outbox.pending()).slice(-limit).reverse();
      return Promise.all(pending.map(toDelivery));
    },

    async loadWatcherStates() {
      const stored = await alerts.getAlertState();
      const states = new Map<string, AlertState>();
      if (stored) {
        states.set(PAGE_WATCHER_KEY, {
          lastStatus: stored.pageStatus,
          escalateCounter: stored.escalateCounter,
          backoffCounter: stored.backoffCounter,
          lastReplicas: [],
          ...(stored.notifiedAtMs !== undefined && { notifiedAtMs: stored.notifiedAtMs }),
        });
      }
      return states;
    },

    saveWatcherState,
  };
}
