import type { Logger } from 'pino';
import type { HealthModel, ReplicaRef } from '../model/health-model.js';
import type { NodeView, ReplicaView } from '../model/views.js';
import { logRefusals, printableId } from './refusal-log.js';
import { SerialQueue } from './serial.js';
import type { ReplicaKey, ReplicaRecord, ReplicaRepository } from './types.js';

/**
 * Which push and local replicas changed since the last write. Reports only mark them (the reporter's
 * hot path never waits for the database); `write` turns the marks into one batch of records.
 */
export class ReplicaSync {
  /** By node, then replica id: a removal finds its mark at once, even after a mass death. */
  private readonly changed = new Map<NodeView, Map<string, ReplicaView>>();
  private removed: ReplicaKey[] = [];
  /** The flush timer and the alert path both write: one at a time, so a newer state is never overwritten. */
  private readonly writes = new SerialQueue();

  constructor(
    private readonly model: HealthModel,
    private readonly logger: Pick<Logger, 'error'>,
  ) {}

  /** A push or local replica reported, changed state or appeared. */
  mark(ref: ReplicaRef): void {
    const node = this.model.node(ref.serviceId, ref.nodeId);
    if (!node || (node.spec.mode !== 'push' && node.spec.mode !== 'local')) return;
    const replica = node.replicas.get(ref.replicaId);
    if (!replica) return;
    let marks = this.changed.get(node);
    if (!marks) {
      marks = new Map();
      this.changed.set(node, marks);
    }
    marks.set(replica.id, replica);
  }

  markRemoved(ref: ReplicaRef): void {
    const node = this.model.node(ref.serviceId, ref.nodeId);
    if (!node || (node.spec.mode !== 'push' && node.spec.mode !== 'local')) return;
    this.changed.get(node)?.delete(ref.replicaId);
    this.removed.push({ serviceId: ref.serviceId, nodeId: ref.nodeId, replicaId: ref.replicaId });
  }

  /** Resolves once the writes started so far have finished. */
  idle(): Promise<void> {
    return this.writes.idle();
  }

  /**
   * Writes the marks: removals first, so a replica flushed and re-created in one period is kept.
   * Records the store refuses are logged and dropped; on any other error every mark is kept.
   */
  write(repository: ReplicaRepository): Promise<void> {
    return this.writes.run(async () => {
      const removed = this.removed;
      const upserts = [...this.changed].flatMap(([node, marks]) =>
        [...marks.values()].flatMap((replica) => {
          const record = toRecord(node, replica);
          return record ? [record] : [];
        }),
      );
      this.removed = [];
      this.changed.clear();
      try {
        logRefusals(this.logger, 'replica removals', await repository.remove(removed), replicaPath);
        logRefusals(this.logger, 'push or local replicas', await repository.upsert(upserts), replicaPath);
      } catch (error) {
        // Kept for the next write: the newest state wins then.
        this.removed = [...removed, ...this.removed];
        for (const record of upserts) this.mark(record);
        throw error;
      }
    });
  }
}

function replicaPath(key: ReplicaKey): string {
  return `${key.serviceId}:${key.nodeId}:${printableId(key.replicaId)}`;
}

function toRecord(node: NodeView, replica: ReplicaView): ReplicaRecord | undefined {
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
