import type { AlertState } from './alert-policy.js';
import type {
  AttemptOutcome,
  Claim,
  Delivery,
  DeliveryAttempt,
  DeliveryQuery,
  Outbox,
  WatcherStateRecord,
} from './outbox.js';
import type { Alert, TargetId } from './types.js';

/** Finished deliveries kept for the manager API; pending ones are never dropped. */
const FINISHED_KEPT = 1000;

/**
 * The outbox in process memory: for tests, and for serving until a durable store is configured.
 * It survives a dispatcher restart within one process, not a process restart.
 */
export class MemoryOutbox implements Outbox {
  /** In insertion order, which is each channel's delivery order. */
  private deliveries: Delivery[] = [];
  private readonly leases = new Map<Delivery, { owner: string; untilMs: number }>();
  private readonly states = new Map<string, AlertState>();

  async enqueue(entry: {
    alert: Alert;
    channels: TargetId[];
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

  async claimNext(
    channel: TargetId,
    { owner, nowMs, leaseMs }: { owner: string; nowMs: number; leaseMs: number },
  ): Promise<Claim> {
    const head = this.deliveries.find((each) => each.channel === channel && each.status === 'pending');
    if (!head) return undefined;
    const dueAtMs = head.nextAttemptAtMs ?? nowMs;
    if (dueAtMs > nowMs) return { retryAtMs: dueAtMs };
    const lease = this.leases.get(head);
    if (lease && lease.owner !== owner && lease.untilMs > nowMs) return { retryAtMs: lease.untilMs };
    this.leases.set(head, { owner, untilMs: nowMs + leaseMs });
    return { delivery: structuredClone(head) };
  }

  async recordAttempt(
    alertId: string,
    channel: TargetId,
    attempt: DeliveryAttempt,
    outcome: AttemptOutcome,
  ): Promise<void> {
    const delivery = this.deliveries.find((each) => each.alert.id === alertId && each.channel === channel);
    if (!delivery) return;
    delivery.attempts.push({ ...attempt });
    this.leases.delete(delivery);
    if (delivery.status !== 'pending') return;
    delivery.status = outcome.status;
    delivery.nextAttemptAtMs = outcome.status === 'pending' ? outcome.nextAttemptAtMs : undefined;
  }

  async recentDeliveries({ limit, before }: DeliveryQuery): Promise<Delivery[]> {
    let older = this.deliveries;
    if (before) {
      const at = older.findIndex(
        (each) => each.alert.id === before.alertId && each.channel === before.channel,
      );
      older = at >= 0 ? older.slice(0, at) : older.filter((each) => each.createdAtMs < before.createdAtMs);
    }
    return structuredClone(older.slice(-limit).reverse());
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
