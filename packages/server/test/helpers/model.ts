import type { Health } from '../../src/model/health.js';
import {
  HealthModel,
  type HealthModelSettings,
  type Load,
  type QueueState,
  type ReplicaRef,
  type RestoredReplica,
} from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import type { ProbeResult } from '../../src/probes/types.js';
import { restoreObservation } from '../../src/store/restore.js';
import type { Clock } from '../../src/time/clock.js';
import { testConfig } from './config.js';

/** Vigil's default delays and thresholds; a test overrides what it is about. */
export const MODEL_SETTINGS: HealthModelSettings = {
  pushDelayDeadSeconds: 20,
  localDelayDeadSeconds: 40,
  pushCpuSickAbove: 0.9,
  pushRamSickAbove: 0.9,
};

/** A model over `probes` (probe tables, as TOML) on `clock`. */
export function testModel(probes: string, clock: Clock, settings: Partial<HealthModelSettings> = {}) {
  return new HealthModel(buildTopology(testConfig(probes)), { ...MODEL_SETTINGS, ...settings }, clock);
}

/**
 * What each source hands the model, stamped with the clock's time as the sources do: a probe
 * result, a push or local report, a queue verdict, a flush, a restored record.
 */
export function sourcesFor(model: HealthModel, clock: Clock) {
  const replica = (serviceId: string, nodeId: string, replicaId: string) => ({
    serviceId,
    nodeId,
    replicaId,
  });
  return {
    probe: (subject: ReplicaRef, result: ProbeResult) =>
      model.apply({ kind: 'probe', subject, atMs: clock.now(), ...result }),
    push: (serviceId: string, nodeId: string, replicaId: string, intervalSeconds: number, load: Load) =>
      model.apply({
        kind: 'push',
        subject: replica(serviceId, nodeId, replicaId),
        atMs: clock.now(),
        intervalSeconds,
        load,
      }),
    local: (serviceId: string, nodeId: string, replicaId: string, intervalSeconds: number, health: Health) =>
      model.apply({
        kind: 'local',
        subject: replica(serviceId, nodeId, replicaId),
        atMs: clock.now(),
        intervalSeconds,
        health,
      }),
    queue: (serviceId: string, nodeId: string, queue: QueueState) =>
      model.apply({ kind: 'queue', subject: { serviceId, nodeId }, atMs: clock.now(), queue }),
    flush: (serviceId: string, nodeId: string, replicaId: string) =>
      model.apply({ kind: 'flush', subject: replica(serviceId, nodeId, replicaId), atMs: clock.now() }),
    restore: (record: RestoredReplica) => model.apply(restoreObservation(record)),
  };
}

export type Sources = ReturnType<typeof sourcesFor>;
