import type { AlertState } from './alert-policy.js';
import type { AttemptOutcome, Delivery, DeliveryAttempt, Outbox, WatcherStateRecord } from './outbox.js';
import type { Alert, ChannelName } from './types.js';

/** Finished deliveries kept for the manager API; pending ones are never dropped. */
const FINISHED_KEPT = 1000;

/**
 * The outbox in process memory: for tests, and for serving until a durable store is configured.
 * It survives a dispatcher restart within one process, not a process restart.
 */
export class MemoryOutbox implements Outbox {
  /** In insertion order, which is each channel's delivery order. */
  private deliveries: Delivery[] = [];
  private readonly states = new Map<string, AlertState>();

  async enqueue(entry: {
    alert: Alert;
    channels: ChannelName[];
    nowMs: number;
    watcher: WatcherStateRecord;
  }): Promise<void> {
    const { alert, channels, nowMs, watcher } = entry;
    for (const channel of channels) {
      this.deliveries.push({
        alert: structuredClone(alert),
        channel,
        status: 'pending',
        createdAtMs: nowMs,
        nextAttemptAtMs: nowMs,
        attempts: [],
      });
    }
    this.states.set(watcher.key, structuredClone(watcher.state));
    this.prune();
  }

  async nextPending(channel: ChannelName): Promise<Delivery | undefined> {
    const found = this.deliveries.find((each) => each.channel === channel && each.status === 'pending');
    return found && structuredClone(found);
  }

  async recordAttempt(
    alertId: string,
    channel: ChannelName,
    attempt: DeliveryAttempt,
    outcome: AttemptOutcome,
  ): Promise<void> {
    const delivery = this.deliveries.find((each) => each.alert.id === alertId && each.channel === channel);
    if (!delivery) return;
    delivery.attempts.push({ ...attempt });
    delivery.status = outcome.status;
    delivery.nextAttemptAtMs = outcome.status === 'pending' ? outcome.nextAttemptAtMs : undefined;
  }

  async recentDeliveries(limit: number): Promise<Delivery[]> {
    return structuredClone(this.deliveries.slice(-limit).reverse());
  }

  async loadWatcherStates(): Promise<Map<string, AlertState>> {
    return structuredClone(this.states);
  }

  async saveWatcherState(record: WatcherStateRecord): Promise<void> {
    this.states.set(record.key, structuredClone(record.state));
  }

  private prune(): void {
    const finished = this.deliveries.filter((each) => each.status !== 'pending');
    const excess = new Set(finished.slice(0, Math.max(0, finished.length - FINISHED_KEPT)));
    if (excess.size > 0) this.deliveries = this.deliveries.filter((each) => !excess.has(each));
  }
}
