import type { ReplicaRecord } from '../../src/store/types.js';

/** A stored push replica `web:app:<replicaId>` that reported at `atMs`, healthy for a minute before. */
export function pushReplicaRecord(
  replicaId: string,
  atMs: number,
  overrides: Partial<ReplicaRecord> = {},
): ReplicaRecord {
  return {
    serviceId: 'web',
    nodeId: 'app',
    replicaId,
    mode: 'push',
    intervalSeconds: 30,
    reportAtMs: atMs,
    load: { cpu: 0.25, ram: 0.5 },
    health: 'healthy',
    sinceMs: atMs - 60_000,
    ...overrides,
  };
}
