import type { HealthModel, RestoredReplica } from '../model/health-model.js';
import type { ObservationOf } from '../model/observation.js';
import type { ReplicaRepository } from './types.js';

/**
 * Puts back the push and local replicas the last run knew, in their order, with their last report.
 * Records of nodes no longer configured (or now in another mode) are skipped and counted.
 *
 * A reporter cannot report to a stopped server, and the stored report time may be up to a flush
 * interval older than the last report the previous run took in; judging silence from it would read
 * a restart as an outage (a false "dead", then a "recovery" at the next report). So a replica the
 * last run did not know dead gets a full interval + delay from the restart to report again, as if
 * it had just reported; if it stays silent it dies then. One the last run knew dead stays dead, as
 * its alert said (a replica's death is written at once; docs/storage.md).
 */
export async function restoreReplicas(
  model: HealthModel,
  repository: ReplicaRepository,
  nowMs: number,
): Promise<{ restored: number; skipped: number }> {
  let restored = 0;
  let skipped = 0;
  for (const record of await repository.list()) {
    const judged =
      record.health === 'dead' ? record : { ...record, reportAtMs: Math.max(record.reportAtMs, nowMs) };
    if (model.apply(restoreObservation(judged)) === 'ok') restored++;
    else skipped++;
  }
  return { restored, skipped };
}

/** A stored record as the model takes it: observed at its last report's time. */
export function restoreObservation(record: RestoredReplica): ObservationOf<'restore'> {
  const { serviceId, nodeId, replicaId, reportAtMs, ...kept } = record;
  return { kind: 'restore', subject: { serviceId, nodeId, replicaId }, atMs: reportAtMs, ...kept };
}
