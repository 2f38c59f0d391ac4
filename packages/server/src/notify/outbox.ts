import type { AlertState } from './alert-policy.js';
import type { Alert, ChannelName } from './types.js';

/**
 * Where alerts wait until each channel has them: written before any attempt, so a crash or restart
 * mid-delivery still delivers. Each method maps onto simple table operations:
 *
 *   outbox           (alert_id, channel, alert JSON, state, due_at, created_at; PK (alert_id, channel))
 *   outbox_attempts  (alert_id, channel, attempt, at, ok, error)
 *   watcher state    (key PK, state JSON)
 * store-outbox.ts adapts the store's repositories to it.
 *
 * One process owns the deliveries: there is no lease yet for several instances sharing a database.
 * Delivery is exactly once per channel except in one window: a crash after a channel accepted an
 * alert and before `recordAttempt` stored it sends that alert again after the restart.
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
  channel: ChannelName;
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

/** The state of the watcher that decided an alert, saved in the same transaction as the alert. */
export interface WatcherStateRecord {
  key: string;
  state: AlertState;
}

export interface Outbox {
  /** Inserts the alert, one pending delivery per channel due at `nowMs`, and the watcher state, atomically. */
  enqueue(entry: {
    alert: Alert;
    channels: ChannelName[];
    nowMs: number;
    watcher: WatcherStateRecord;
  }): Promise<void>;
  /** The oldest pending delivery of a channel: a channel's alerts go out in order. */
  nextPending(channel: ChannelName): Promise<Delivery | undefined>;
  /** Appends one attempt and moves the delivery on, in one transaction. */
  recordAttempt(
    alertId: string,
    channel: ChannelName,
    attempt: DeliveryAttempt,
    outcome: AttemptOutcome,
  ): Promise<void>;
  /** The latest deliveries, newest first, with their attempts: for the manager API. */
  recentDeliveries(limit: number): Promise<Delivery[]>;
  loadWatcherStates(): Promise<Map<string, AlertState>>;
  /** A state change that decided no alert (e.g. healthy to sick), so a restart resumes from it. */
  saveWatcherState(record: WatcherStateRecord): Promise<void>;
}
