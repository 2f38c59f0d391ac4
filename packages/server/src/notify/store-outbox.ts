import type { Fence, OutboxEntry, Store } from '../store/types.js';
import type { Delivery, Outbox } from './outbox.js';

/**
 * The dispatcher's outbox over the durable store (SQLite or PostgreSQL). `saveModel` writes the
 * model state decisions are taken on (the recorder's push and local replicas); it is awaited before
 * each watcher state is stored, so the model a restart restores is never older than the alert
 * state it restores, and the restart never re-decides an alert from stale replicas (issue #15).
 * With a `fence` (a cluster's alert leader), every write and claim holds only while its token is
 * current, and fails with FencedOutError once another member leads.
 */
export function storeOutbox(
  store: Pick<Store, 'outbox' | 'alerts'>,
  saveModel: () => Promise<void> = async () => {},
  fence?: Fence,
): Outbox {
  const { outbox, alerts } = store;
  return {
    async enqueue({ alert, channels, nowMs, watcher }) {
      await saveModel();
      await outbox.enqueue(alert, channels, nowMs, watcher, fence);
    },

    async claimNext(channel, lease) {
      const claim = await outbox.claimNext(channel, lease, fence);
      return claim && ('entry' in claim ? { delivery: toDelivery(claim.entry) } : claim);
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

    async recentDeliveries({ limit, before }) {
      const entries = await outbox.recent({ limit, ...(before && { before }) });
      return entries.map(toDelivery);
    },

    loadWatcherStates: () => alerts.watcherStates(),
    async saveWatcherState(record) {
      await saveModel();
      await alerts.setWatcherState(record, fence);
    },
  };
}

function toDelivery(entry: OutboxEntry): Delivery {
  return {
    alert: entry.alert,
    channel: entry.channel,
    status: entry.state,
    createdAtMs: entry.createdAtMs,
    ...(entry.state === 'pending' && { nextAttemptAtMs: entry.dueAtMs }),
    attempts: entry.log.map(({ attempt, atMs, error }) => ({
      number: attempt,
      atMs,
      ...(error !== undefined && { error }),
    })),
  };
}
