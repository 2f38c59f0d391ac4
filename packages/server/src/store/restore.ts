import type { HealthModel } from '../model/health-model.js';
import type { ReplicaRepository } from './types.js';

/**
 * Puts back the push and local replicas the last run knew, in their order, with their last report:
 * their deadlines run from that report, so one that went silent meanwhile is dead at once. Records
 * of nodes no longer configured (or now in another mode) are skipped and counted.
 */
export async function restoreReplicas(
  model: HealthModel,
  repository: ReplicaRepository,
): Promise<{ restored: number; skipped: number }> {
  let restored = 0;
  let skipped = 0;
  for (const record of await repository.list()) {
    if (model.restoreReplica(record) === 'ok') restored++;
    else skipped++;
  }
  return { restored, skipped };
}
