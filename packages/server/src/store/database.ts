import type { Generated } from 'kysely';

/** Table shapes as the query builder sees them. Times are ms since the epoch, rollup buckets are seconds. */
export interface Database {
  announcements: AnnouncementTable;
  settings: SettingTable;
  watcher_states: WatcherStateTable;
  replicas: ReplicaTable;
  outbox: OutboxTable;
  outbox_attempts: OutboxAttemptTable;
  series: SeriesTable;
  rollup_minute: RollupTable;
  rollup_hour: RollupTable;
  rollup_day: RollupTable;
  incidents: IncidentTable;
  declared_incidents: DeclaredIncidentTable;
  incident_updates: IncidentUpdateTable;
  runs: RunTable;
  maintenance_windows: MaintenanceWindowTable;
  cluster_members: ClusterMemberTable;
  cluster_leader: ClusterLeaderTable;
  subscriptions: SubscriptionTable;
  feed_published: FeedPublishedTable;
}

export interface AnnouncementTable {
  /** Insertion order. */
  seq: Generated<number>;
  id: string;
  title: string;
  text: string;
  created_at: number;
  severity: string | null;
  expires_at: number | null;
}

export interface MaintenanceWindowTable {
  /** Insertion order. */
  seq: Generated<number>;
  id: string;
  title: string;
  text: string;
  starts_at: number;
  ends_at: number;
  /** JSON arrays of service ids and of `service:node` references. */
  services: string;
  nodes: string;
  created_at: number;
}

/** Small singleton records (the ignore window) as JSON. */
export interface SettingTable {
  key: string;
  value: string;
}

/** Each alert watcher's state (notify/alert-policy.ts AlertState) as JSON, by watcher key. */
export interface WatcherStateTable {
  key: string;
  state: string;
}

export interface ReplicaTable {
  /** Insertion order; an upsert keeps it. */
  seq: Generated<number>;
  service_id: string;
  node_id: string;
  replica_id: string;
  mode: string;
  interval_s: number;
  report_at: number;
  load_cpu: number | null;
  load_ram: number | null;
  reported_health: string | null;
  health: string;
  reason: string | null;
  since_at: number;
}

export interface OutboxTable {
  alert_id: string;
  channel: string;
  /** The Alert as JSON. */
  alert: string;
  state: string;
  attempts: number;
  created_at: number;
  due_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  /** The cluster leader's fencing token the lease was taken under; null outside a cluster. */
  lease_token: number | null;
  finished_at: number | null;
  last_error: string | null;
}

export interface OutboxAttemptTable {
  seq: Generated<number>;
  alert_id: string;
  channel: string;
  attempt: number;
  at: number;
  ok: number;
  error: string | null;
}

export interface SeriesTable {
  id: Generated<number>;
  kind: string;
  service_id: string;
  node_id: string;
  replica_id: string;
}

export interface RollupTable {
  bucket: number;
  series_id: number;
  healthy_s: number;
  sick_s: number;
  dead_s: number;
  /** Added by migration 0003; 0 in older rows. */
  maintenance_s: number;
  samples: number;
  p50_ms: number | null;
  p95_ms: number | null;
  max_ms: number | null;
}

export interface IncidentTable {
  id: string;
  scope: string;
  service_id: string;
  node_id: string;
  started_at: number;
  ended_at: number | null;
  worst: string;
  /** JSON arrays. */
  replicas: string;
  reasons: string;
}

export interface DeclaredIncidentTable {
  id: string;
  title: string;
  started_at: number;
  status: string;
  resolved_at: number | null;
  /** JSON: service ids, and `{serviceId, nodeId}` objects. */
  services: string;
  nodes: string;
}

/** Updates of declared and detected incidents alike, so no foreign key. */
export interface IncidentUpdateTable {
  id: string;
  incident_id: string;
  at: number;
  status: string;
  message: string;
}

export interface RunTable {
  id: string;
  started_at: number;
  last_seen_at: number;
  stopped_at: number | null;
}

/** A cluster member's lease: alive while `heartbeat_at + lease_ms` is after the database's now. */
export interface ClusterMemberTable {
  instance_id: string;
  vantage: string;
  started_at: number;
  heartbeat_at: number;
  lease_ms: number;
}

/** The alert leader's lease (one row, id 1); `token` only ever grows, one step per new lease. */
export interface ClusterLeaderTable {
  id: number;
  holder: string;
  token: number;
  acquired_at: number;
  lease_until: number;
}

export interface SubscriptionTable {
  id: string;
  /** `mail` or `hook` (a webhook). */
  kind: string;
  /** The mail address (domain lowercased) or the webhook URL. */
  target: string;
  /** `pending` until an email subscriber confirms; `active`. */
  state: string;
  created_at: number;
  confirmed_at: number | null;
  /** When a pending subscription is forgotten. */
  expires_at: number | null;
}

export interface FeedPublishedTable {
  /** A feed entry's id and update time. */
  entry_key: string;
  published_at: number;
}
