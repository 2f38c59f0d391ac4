import type { AlertState } from './alert-policy.js';
import type { Alert, TargetId } from './types.js';

/**
 * Where alerts wait until each channel has them: written before any attempt, so a crash or restart
 * mid-delivery still delivers. Each method maps onto simple table operations:
 *
 * (`channel` holds the target id: `slack`, `slack#ops`; see targets.ts.)
 *
 *   outbox           (alert_id, channel, alert JSON, state, due_at, created_at, lease; PK (alert_id, channel))
 *   outbox_attempts  (alert_id, channel, attempt, at, ok, error)
 *   watcher_states   (key PK, state JSON)
 * store-outbox.ts adapts the store's repositories to it.
 *
 * An attempt is made under a lease (`claimNext`), so instances sharing a database never both try
 * the same delivery. Delivery is exactly once per channel except in one window: a crash after a
 * channel accepted an alert and before `recordAttempt` stored it sends that alert again after the
 * restart.
 */

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  /** 1 for the first attempt. */
  number: number;
  atMs: number;
  /** Why it failed; absent on success. */
  error?: string;
}

export interface Delivery {
  alert: Alert;
  /** The target: `slack`, or `slack#ops` for an entry of a `[[notify.slack]]` array. */
  channel: TargetId;
  status: DeliveryStatus;
  createdAtMs: number;
  /** When a pending delivery is next tried. */
  nextAttemptAtMs?: number;
  attempts: DeliveryAttempt[];
}

/** What an attempt leaves behind: done, to be tried again at a time, or given up. */
export type AttemptOutcome =
  | { status: 'delivered' }
  | { status: 'pending'; nextAttemptAtMs: number }
  | { status: 'failed' };

/** What `claimNext` found: a delivery leased to the caller, a time to look again, or nothing pending. */
export type Claim = { delivery: Delivery } | { retryAtMs: number } | undefined;

/** Where a page of `recentDeliveries` starts: after this delivery, newest first. */
export interface DeliveryCursor {
  createdAtMs: number;
  alertId: string;
  channel: TargetId;
}

export interface DeliveryQuery {
  limit: number;
  before?: DeliveryCursor;
}

/** The state of the watcher that decided an alert, saved in the same transaction as the alert. */
export interface WatcherStateRecord {
  key: string;
  state: AlertState;
}

export interface Outbox {
  /** Inserts the alert, one pending delivery per channel due at `nowMs`, and the watcher state, atomically. */
  enqueue(entry: {
    alert: Alert;
    channels: TargetId[];
    nowMs: number;
    watcher: WatcherStateRecord;
  }): Promise<void>;
  /**
   * Leases the channel's oldest pending delivery to `owner` for `leaseMs` if it is due and no other
   * owner holds it: a channel's alerts go out in order, one at a time, by one instance.
   */
  claimNext(channel: TargetId, lease: { owner: string; nowMs: number; leaseMs: number }): Promise<Claim>;
  /** Appends one attempt and moves the delivery on (freeing its lease), in one transaction. */
  recordAttempt(
    alertId: string,
    channel: TargetId,
    attempt: DeliveryAttempt,
    outcome: AttemptOutcome,
  ): Promise<void>;
  /** Deliveries of every status, newest first, with their attempts: for the manager API. */
  recentDeliveries(query: DeliveryQuery): Promise<Delivery[]>;
  loadWatcherStates(): Promise<Map<string, AlertState>>;
  /** A state change that decided no alert (e.g. healthy to sick), so a restart resumes from it. */
  saveWatcherState(record: WatcherStateRecord): Promise<void>;
}
