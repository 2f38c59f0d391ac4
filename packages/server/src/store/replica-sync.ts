import type { HealthModel, NodeState, ReplicaRef, ReplicaState } from '../model/health-model.js';
import type { ReplicaKey, ReplicaRecord, ReplicaRepository } from './types.js';

/**
 * Which push and local replicas changed since the last flush. Reports only mark them (the reporter's
 * hot path never waits for the database); `take` turns the marks into one batch of records.
 */
export class ReplicaSync {
  private readonly changed = new Map<ReplicaState, NodeState>();
  private removed: ReplicaKey[] = [];

  constructor(private readonly model: HealthModel) {}

  /** A push or local replica reported, changed state or appeared. */
  mark(ref: ReplicaRef): void {
    const node = this.model.node(ref.serviceId, ref.nodeId);
    if (!node || (node.spec.mode !== 'push' && node.spec.mode !== 'local')) return;
    const replica = node.replicas.get(ref.replicaId);
    if (replica) this.changed.set(replica, node);
  }

  markRemoved(ref: ReplicaRef): void {
    const node = this.model.node(ref.serviceId, ref.nodeId);
    if (!node || (node.spec.mode !== 'push' && node.spec.mode !== 'local')) return;
    for (const replica of this.changed.keys()) {
      if (replica.id === ref.replicaId && this.changed.get(replica) === node) this.changed.delete(replica);
    }
    this.removed.push({ serviceId: ref.serviceId, nodeId: ref.nodeId, replicaId: ref.replicaId });
  }

  /** Writes the marks: removals first, so a replica flushed and re-created in one period is kept. */
  async write(repository: ReplicaRepository): Promise<void> {
    const removed = this.removed;
    const upserts = [...this.changed].flatMap(([replica, node]) => {
      const record = toRecord(node, replica);
      return record ? [record] : [];
    });
    this.removed = [];
    this.changed.clear();
    try {
      await repository.remove(removed);
      await repository.upsert(upserts);
    } catch (error) {
      // Kept for the next flush: the newest state wins then.
      this.removed = [...removed, ...this.removed];
      for (const record of upserts) this.mark(record);
      throw error;
    }
  }
}

function toRecord(node: NodeState, replica: ReplicaState): ReplicaRecord | undefined {
  const mode = node.spec.mode;
  if (!replica.report || (mode !== 'push' && mode !== 'local')) return undefined;
  const record: ReplicaRecord = {
    serviceId: node.spec.serviceId,
    nodeId: node.spec.id,
    replicaId: replica.id,
    mode,
    intervalSeconds: replica.report.intervalSeconds,
    reportAtMs: replica.report.atMs,
    health: replica.health,
    sinceMs: replica.sinceMs,
  };
  if (replica.load) record.load = replica.load;
  if (replica.reportedHealth) record.reportedHealth = replica.reportedHealth;
  if (replica.reason) record.reason = replica.reason;
  return record;
}
