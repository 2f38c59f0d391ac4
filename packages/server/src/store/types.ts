import type { Announcement } from '../announcements/types.js';
import type { DeclaredIncident, IncidentStatus, IncidentUpdate, StartCursor } from '../incidents/types.js';
import type { MaintenanceWindow, PastMaintenanceCursor } from '../maintenance/types.js';
import type { Health } from '../model/health.js';
import type { RestoredReplica } from '../model/health-model.js';
import type { WatcherStateRecord } from '../notify/outbox.js';
import type { Alert, TargetId } from '../notify/types.js';
import type { Subscription, SubscriptionKind } from '../subscriptions/types.js';

/**
 * Everything Vigil TS keeps across restarts, behind one interface with two engines (SQLite and
 * PostgreSQL). Times are milliseconds since the epoch. Each repository has one job.
 */
export interface Store {
  readonly engine: StorageEngine;
  readonly announcements: AnnouncementRepository;
  readonly alerts: AlertStateRepository;
  readonly replicas: ReplicaRepository;
  readonly outbox: OutboxRepository;
  readonly rollups: RollupRepository;
  readonly incidents: IncidentRepository;
  readonly declaredIncidents: DeclaredIncidentRepository;
  readonly runs: RunRepository;
  readonly maintenance: MaintenanceRepository;
  /** `[cluster]` membership and alert leadership; PostgreSQL only (docs/cluster.md). */
  readonly cluster: ClusterRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly publishedEntries: PublishedEntryRepository;
  /** A trivial query: resolves when the database answers (readiness checks). */
  ping(): Promise<void>;
  /** Waits for running queries, then closes the connections. */
  close(): Promise<void>;
}

export type StorageEngine = 'sqlite' | 'postgres';

/** The cluster alert leader's fencing token a write is made under (docs/cluster.md). */
export interface Fence {
  token: number;
}

/** A write made under a fencing token that is no longer the current leader's: nothing was written. */
export class FencedOutError extends Error {
  override name = 'FencedOutError';
  constructor(readonly fence: Fence) {
    super(`alert leadership ${fence.token} is no longer current`);
  }
}

export interface ClusterMember {
  instanceId: string;
  vantage: string;
  startedAtMs: number;
  /** The database's time of its last heartbeat. */
  heartbeatAtMs: number;
  leaseMs: number;
  /** Its lease still runs by the database's clock. */
  alive: boolean;
}

export interface ClusterLeader {
  instanceId: string;
  token: number;
  acquiredAtMs: number;
  leaseUntilMs: number;
  /** Its lease still runs by the database's clock. */
  current: boolean;
}

/** The cluster as the database sees it at `nowMs` (its own clock). */
export interface ClusterView {
  nowMs: number;
  members: ClusterMember[];
  leader?: ClusterLeader;
}

export interface ClusterRepository {
  /**
   * Inserts or renews this member's lease, timed by the database's clock. `sharedWithLiveProcess`:
   * the row was last renewed, within its lease, by a process that started at another time.
   */
  heartbeat(member: {
    instanceId: string;
    vantage: string;
    leaseMs: number;
    startedAtMs: number;
  }): Promise<{ sharedWithLiveProcess: boolean }>;
  /** Publishes `payload` to the members listening on `channel` (PostgreSQL NOTIFY). */
  notify(channel: string, payload: string): Promise<void>;
  /** A graceful leave: the member's row goes, and its alert lease ends now if it held it. */
  leave(instanceId: string): Promise<void>;
  view(): Promise<ClusterView>;
  /**
   * Takes or renews the alert leader's lease for `leaseMs`; undefined while another member's runs.
   * Only a renewal of `heldToken`'s running lease keeps the token; every other take (a lapsed lease,
   * this member's own from before a restart) gets the next one.
   */
  acquireLeadership(
    instanceId: string,
    leaseMs: number,
    heldToken?: number,
  ): Promise<{ token: number; leaseUntilMs: number } | undefined>;
}

/**
 * A record the database refused (or could not hold exactly), with why. Batch writes set such
 * records aside and write the rest, so one bad record never blocks the others; the caller logs
 * and drops it. An unreachable store is not a refusal: the write throws and nothing is set aside.
 */
export interface Refusal<T> {
  item: T;
  error: unknown;
}

export interface AnnouncementRepository {
  /** Every stored announcement, expired ones included, oldest first. */
  list(): Promise<Announcement[]>;
  insert(announcement: Announcement): Promise<void>;
  /** Replaces the stored fields of the announcement with this id; false when there is none. */
  update(announcement: Announcement): Promise<boolean>;
  /** False when no announcement has this id. */
  remove(id: string): Promise<boolean>;
  removeExpired(nowMs: number): Promise<number>;
}

/** Maintenance windows (manager API extension); ended ones are kept for the history. */
export interface MaintenanceRepository {
  /** Windows not over at `nowMs`, earliest start first. */
  listCurrent(nowMs: number): Promise<MaintenanceWindow[]>;
  /** Windows over at `nowMs`, most recently ended first, after `before` when given. */
  listPast(query: {
    nowMs: number;
    limit: number;
    before?: PastMaintenanceCursor;
  }): Promise<MaintenanceWindow[]>;
  insert(window: MaintenanceWindow): Promise<void>;
  /** Replaces a window's fields (same id and creation time); false when no window has this id. */
  update(window: MaintenanceWindow): Promise<boolean>;
  /** False when no window has this id. */
  remove(id: string): Promise<boolean>;
}

/**
 * The notifier's memory (spec §5), one state per watcher, so a restart mid-outage neither says
 * "healthy" nor "dead" again. Key `page` is Vigil's whole-page watcher; channels with their own
 * options (delay, sick alerts, filters) have their own key.
 */
export interface AlertStateRepository {
  watcherStates(): Promise<Map<string, WatcherStateRecord['state']>>;
  /** A state change that decided no alert; an alert saves its state with `outbox.enqueue`. */
  setWatcherState(record: WatcherStateRecord, fence?: Fence): Promise<void>;
  /** End of the reminder-ignore window (spec §2.5), if one was set. */
  getIgnoreUntil(): Promise<number | undefined>;
  setIgnoreUntil(untilMs: number | undefined): Promise<void>;
}

export interface ReplicaKey {
  serviceId: string;
  nodeId: string;
  replicaId: string;
}

/**
 * A push or local replica with its last report: enough to re-create it and re-arm its deadline.
 * The very shape the health model restores from.
 */
export type ReplicaRecord = RestoredReplica;

export interface ReplicaRepository {
  /** In the order the replicas first appeared. */
  list(): Promise<ReplicaRecord[]>;
  /** Inserts or replaces; a replica keeps its place in the order. Returns the records refused. */
  upsert(records: readonly ReplicaRecord[]): Promise<Refusal<ReplicaRecord>[]>;
  /** Returns the keys refused. */
  remove(keys: readonly ReplicaKey[]): Promise<Refusal<ReplicaKey>[]>;
}

export type OutboxState = 'pending' | 'delivered' | 'failed';

/** One alert to deliver through one channel. */
export interface OutboxItem {
  alertId: string;
  channel: TargetId;
  alert: Alert;
  state: OutboxState;
  attempts: number;
  createdAtMs: number;
  dueAtMs: number;
  lastError?: string;
}

export interface OutboxAttempt {
  alertId: string;
  channel: TargetId;
  /** 1 for the first attempt. */
  attempt: number;
  atMs: number;
  ok: boolean;
  error?: string;
}

export type OutboxRef = Pick<OutboxItem, 'alertId' | 'channel'>;

/** An item with its attempt log, oldest attempt first. */
export interface OutboxEntry extends OutboxItem {
  log: OutboxAttempt[];
}

/** What `claimNext` found: an item now leased to the caller, a time to look again, or nothing pending. */
export type OutboxClaim = { entry: OutboxEntry } | { retryAtMs: number } | undefined;

/** Where a page of `recent` starts: after this item, newest first. */
export type OutboxCursor = OutboxRef & { createdAtMs: number };

export interface OutboxRepository {
  /**
   * One pending item per channel, and the state of the watcher that decided the alert, in one
   * transaction: a crash can neither lose the alert nor keep the state without it. Enqueuing the
   * same alert and channel twice keeps the first. With a `fence`, nothing is written unless its
   * token is current (FencedOutError).
   */
  enqueue(
    alert: Alert,
    channels: readonly TargetId[],
    dueAtMs: number,
    watcher?: WatcherStateRecord,
    fence?: Fence,
  ): Promise<void>;
  /**
   * Leases the channel's oldest pending item to `owner` for `leaseMs` if it is due and not leased
   * by another owner (a lease that ran out is free; the owner's own is taken over, as after its
   * restart). The oldest item only, so a channel's alerts go out in order, across instances too.
   * With a `fence` (a cluster's alert leader), only while that token is current, and an item claimed
   * under an older token is free at once: the new leader takes over what the old one had claimed.
   */
  claimNext(
    channel: TargetId,
    lease: { nowMs: number; leaseMs: number; owner: string },
    fence?: Fence,
  ): Promise<OutboxClaim>;
  /** A failed attempt: logged, then retried at `retryAtMs`, or failed for good without one. */
  markAttempt(ref: OutboxRef, failure: { atMs: number; error: string; retryAtMs?: number }): Promise<void>;
  /** A successful attempt: logged, and the item is delivered. */
  complete(ref: OutboxRef, atMs: number): Promise<void>;
  /** Items not yet delivered or failed, oldest first. */
  pending(): Promise<OutboxItem[]>;
  /** Items of every state, newest first, with their attempts; `before` continues a previous page. */
  recent(query: { limit: number; before?: OutboxCursor }): Promise<OutboxEntry[]>;
  get(ref: OutboxRef): Promise<OutboxItem | undefined>;
  attempts(alertId: string): Promise<OutboxAttempt[]>;
  /** Forgets delivered and failed items (and their attempts) finished before `beforeMs`. */
  prune(beforeMs: number): Promise<number>;
}

export const RESOLUTIONS = ['minute', 'hour', 'day'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const SERIES_KINDS = ['replica', 'node', 'service', 'page'] as const;
export type SeriesKind = (typeof SERIES_KINDS)[number];

/** What a history series follows; ids that do not apply to the kind are ''. */
export interface SeriesKey {
  kind: SeriesKind;
  serviceId: string;
  nodeId: string;
  replicaId: string;
}

export interface Series extends SeriesKey {
  id: number;
}

/**
 * One bucket of one series. Health is measured in seconds spent in each state while Vigil TS ran
 * (a silent push replica is dead without any observation); latency over the observations that had one.
 */
export interface BucketSummary {
  healthySeconds: number;
  sickSeconds: number;
  deadSeconds: number;
  /** Time a node spent under maintenance, whatever its health: apart from the three. Absent when 0. */
  maintenanceSeconds?: number;
  /** Observations with a latency. */
  samples: number;
  p50Ms?: number;
  p95Ms?: number;
  maxMs?: number;
}

export interface RollupRow extends BucketSummary {
  seriesId: number;
  /** Start of the bucket. */
  bucketMs: number;
}

export type RollupBatch = Record<Resolution, readonly RollupRow[]>;

export interface HealthTotals {
  healthySeconds: number;
  sickSeconds: number;
  deadSeconds: number;
  /** Absent when 0. */
  maintenanceSeconds?: number;
}

export interface RollupRepository {
  listSeries(): Promise<Series[]>;
  /** Ids of these series, creating the missing ones, and the keys refused. */
  ensureSeries(keys: readonly SeriesKey[]): Promise<{ series: Series[]; refused: Refusal<SeriesKey>[] }>;
  /** Inserts or replaces rows of every resolution, in one transaction; returns the rows refused. */
  write(batch: RollupBatch): Promise<Refusal<RollupRow>[]>;
  /** Rows of one series with `fromMs <= bucket < toMs`, oldest first. */
  read(resolution: Resolution, seriesId: number, fromMs: number, toMs: number): Promise<RollupRow[]>;
  /**
   * Rows of many series starting exactly at `bucketMs` (to reload open buckets after a restart), or
   * only of the series of one kind (the page's node strips: not a row per replica to drop).
   */
  readBucket(resolution: Resolution, bucketMs: number, kind?: SeriesKind): Promise<RollupRow[]>;
  /** Seconds per state summed over `fromMs <= bucket < toMs`, per series (every series when undefined). */
  totals(
    resolution: Resolution,
    seriesIds: readonly number[] | undefined,
    fromMs: number,
    toMs: number,
  ): Promise<Map<number, HealthTotals>>;
  /** Deletes rows whose bucket starts before `beforeMs`. */
  prune(resolution: Resolution, beforeMs: number): Promise<number>;
}

export interface IncidentReason {
  /** `service:node:replica`. */
  replica: string;
  reason: string;
  atMs: number;
}

/** A period when a node or the page was not healthy. */
export interface Incident {
  id: string;
  scope: 'node' | 'page';
  /** '' for the page. */
  serviceId: string;
  nodeId: string;
  startedAtMs: number;
  endedAtMs?: number;
  worst: Exclude<Health, 'healthy'>;
  /** Replicas that were not healthy during it, as `service:node:replica`, first seen first. */
  replicas: string[];
  reasons: IncidentReason[];
}

export interface IncidentQuery {
  state?: 'open' | 'closed';
  serviceId?: string;
  nodeId?: string;
  scope?: Incident['scope'];
  /** Incidents of this scope, and those of any scope with an update (what the page lists). */
  scopeOrAnnotated?: Incident['scope'];
  /** Keyset cursor: incidents that started before this one (newest first). */
  before?: { startedAtMs: number; id: string };
  limit: number;
}

export interface IncidentRepository {
  /** Inserts or replaces one incident. */
  save(incident: Incident): Promise<void>;
  close(id: string, endedAtMs: number): Promise<void>;
  listOpen(): Promise<Incident[]>;
  get(id: string): Promise<Incident | undefined>;
  /** Newest first. */
  list(query: IncidentQuery): Promise<Incident[]>;
  /** Deletes incidents that ended before `beforeMs`. */
  prune(beforeMs: number): Promise<number>;
}

/**
 * Incidents operators declare through the manager API, and the updates of every incident (declared
 * or detected). Lists are newest first by start, then id.
 */
export interface DeclaredIncidentRepository {
  /** The incident and its first update, in one transaction. */
  insert(incident: DeclaredIncident, first: IncidentUpdate): Promise<void>;
  /**
   * Adds an update; for a declared incident it also sets the incident's status (and resolution
   * time), in the same transaction.
   */
  addUpdate(
    update: IncidentUpdate,
    declared?: { status: IncidentStatus; resolvedAtMs?: number },
  ): Promise<void>;
  get(id: string): Promise<DeclaredIncident | undefined>;
  list(query: { limit: number; unresolved?: boolean; before?: StartCursor }): Promise<DeclaredIncident[]>;
  countUnresolved(): Promise<number>;
  /** Updates of these incidents, oldest first. */
  updates(incidentIds: readonly string[]): Promise<IncidentUpdate[]>;
  countUpdates(incidentId: string): Promise<number>;
  /**
   * Deletes declared incidents resolved before `beforeMs`, and the updates of incidents that no
   * longer exist (detected ones go with `IncidentRepository.prune`).
   */
  prune(beforeMs: number): Promise<number>;
}

/** One run of Vigil TS: time outside every run is a gap ("no data"), never uptime. */
export interface Run {
  id: string;
  startedAtMs: number;
  /** Last time the run wrote history; after a crash, where its coverage ends. */
  lastSeenAtMs: number;
  stoppedAtMs?: number;
}

export interface RunRepository {
  start(run: Run): Promise<void>;
  heartbeat(id: string, atMs: number): Promise<void>;
  stop(id: string, atMs: number): Promise<void>;
  /** Runs that overlap `[fromMs, toMs)`, oldest first. */
  list(fromMs: number, toMs: number): Promise<Run[]>;
  prune(beforeMs: number): Promise<number>;
}

export interface SubscriptionRepository {
  /** False (and nothing written) when a subscription of this kind already has this target. */
  insert(subscription: Subscription): Promise<boolean>;
  get(id: string): Promise<Subscription | undefined>;
  byTarget(kind: SubscriptionKind, target: string): Promise<Subscription | undefined>;
  /** A repeated sign-up: the pending subscription waits until this new time. */
  renewPending(id: string, expiresAtMs: number): Promise<void>;
  /** False when no pending subscription has this id. */
  activate(id: string, atMs: number): Promise<boolean>;
  /** False when no subscription has this id. */
  remove(id: string): Promise<boolean>;
  /** Oldest first. */
  list(kind: SubscriptionKind, state?: Subscription['state']): Promise<Subscription[]>;
  count(kind: SubscriptionKind, state?: Subscription['state']): Promise<number>;
  /** Forgets pending subscriptions whose time to confirm ran out. */
  removeExpired(nowMs: number): Promise<number>;
  /**
   * The secret that signs confirm and unsubscribe links: made (32 random bytes) on first use and kept
   * in the store, so links outlive restarts and every instance sharing the database accepts them.
   */
  signingKey(): Promise<Buffer>;
}

/**
 * Feed entries (by id and update time) subscribers were already told about: a restart tells nobody
 * twice, and of instances sharing a database only the one that claims an entry tells.
 */
export interface PublishedEntryRepository {
  /** Records the keys; returns those this call recorded (not recorded before). */
  claim(keys: readonly string[], atMs: number): Promise<Set<string>>;
  has(key: string): Promise<boolean>;
}
