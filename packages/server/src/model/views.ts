import type { Health, HealthCounts } from './health.js';
import type { Load, QueueState } from './observation.js';
import type { NodeSpec, ServiceSpec } from './topology.js';

/**
 * What consumers of the health model see: its state, read-only all the way down (the specs are the
 * topology's, itself read-only), so only the model's `apply` and a reload change it. The objects are
 * the model's own, not copies: reading them costs nothing and they are always current.
 */

/** A level's members by state, to read. */
export type HealthCountsView = Pick<HealthCounts, 'worst' | 'total' | 'of'>;

export interface ReplicaView {
  readonly id: string;
  readonly health: Health;
  /** Why it is not healthy, kept for the page and alerts. */
  readonly reason?: string;
  readonly latencyMs?: number;
  readonly load?: Readonly<Load>;
  readonly queue?: Readonly<QueueState>;
  /** Last push or local report: when its reporter sent it, and the interval it announced. */
  readonly report?: { readonly atMs: number; readonly intervalSeconds: number };
  /** Health the local relay reported, before the deadline rule. */
  readonly reportedHealth?: Health;
  /** When the replica was last probed or reported (the observation's time); absent until then. */
  readonly checkedAtMs?: number;
  /** When its health last changed (or it appeared). */
  readonly sinceMs: number;
}

export interface NodeView {
  readonly spec: NodeSpec;
  readonly health: Health;
  readonly replicas: ReadonlyMap<string, ReplicaView>;
  readonly counts: HealthCountsView;
}

export interface ServiceView {
  readonly spec: ServiceSpec;
  readonly health: Health;
  readonly nodes: ReadonlyMap<string, NodeView>;
  readonly counts: HealthCountsView;
}
