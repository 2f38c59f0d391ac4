import { z } from 'zod';
import { HEALTH_STATES } from './health.js';

/**
 * What sources tell the health model: plain data (no functions, no Maps), so an observation can
 * cross a worker thread or the network unchanged. Each carries its subject and `atMs`, the time
 * its source observed it: the model judges from that time, and ignores an observation older than
 * the last one it took for the same replica (or node, for the queue check).
 */

const health = z.enum(HEALTH_STATES);
/** Times and durations are finite numbers; ids are whatever the routes and the topology allow. */
const timeMs = z.number().finite();
const seconds = z.number().finite().nonnegative();

const nodeRef = z.object({ serviceId: z.string(), nodeId: z.string() });
const replicaRef = nodeRef.extend({ replicaId: z.string() });

/** System load a push reporter sends: ratios where 1.0 means fully used. */
const load = z.object({ cpu: z.number().finite(), ram: z.number().finite() });

/** The RabbitMQ queue check's verdict for a push node (spec §4.7). */
const queueState = z.object({
  loaded: z.boolean(),
  stalled: z.boolean(),
  ready: z.number().finite().optional(),
  nack: z.number().finite().optional(),
});

const observationSchema = z.discriminatedUnion('kind', [
  /** One poll or script result for a configured replica. */
  z.object({
    kind: z.literal('probe'),
    subject: replicaRef,
    atMs: timeMs,
    health,
    latencyMs: z.number().finite().nonnegative(),
    reason: z.string().optional(),
    /** The cluster member's vantage that probed it (`[cluster] vantage`), for a quorum of vantages. */
    vantage: z.string().optional(),
  }),
  /** A Vigil Reporter load report for a push node (spec §4.5). */
  z.object({ kind: z.literal('push'), subject: replicaRef, atMs: timeMs, intervalSeconds: seconds, load }),
  /** A Vigil Local health report for a local node (spec §4.6): it replaces the replica's record. */
  z.object({ kind: z.literal('local'), subject: replicaRef, atMs: timeMs, intervalSeconds: seconds, health }),
  /** The RabbitMQ check's verdict, for every replica of a push node (spec §4.7). */
  z.object({ kind: z.literal('queue'), subject: nodeRef, atMs: timeMs, queue: queueState }),
  /**
   * A push or local replica dead of silence, as the member that judges deadlines decided it (a
   * cluster's alert leader): no report came in `intervalSeconds` + the mode's delay after the one
   * made at `reportAtMs`. A member that took a later report keeps it alive (stale).
   */
  z.object({
    kind: z.literal('silence'),
    subject: replicaRef,
    atMs: timeMs,
    reportAtMs: timeMs,
    intervalSeconds: seconds,
  }),
  /** A reporter's flush: the push or local replica goes. */
  z.object({ kind: z.literal('flush'), subject: replicaRef, atMs: timeMs }),
  /**
   * A push or local replica as a previous run left it; `atMs` is its last report's time, from which
   * its deadline runs (one that passed meanwhile makes it dead at once).
   */
  z.object({
    kind: z.literal('restore'),
    subject: replicaRef,
    atMs: timeMs,
    mode: z.enum(['push', 'local']),
    intervalSeconds: seconds,
    load: load.optional(),
    /** What the local relay reported (local mode). */
    reportedHealth: health.optional(),
    health,
    reason: z.string().optional(),
    /** Since when it was in `health`. */
    sinceMs: timeMs,
  }),
]);

export type NodeRef = z.infer<typeof nodeRef>;
export type ReplicaRef = z.infer<typeof replicaRef>;
export type Load = z.infer<typeof load>;
export type QueueState = z.infer<typeof queueState>;
export type Observation = z.infer<typeof observationSchema>;
export type ObservationKind = Observation['kind'];
export type ObservationOf<K extends ObservationKind> = Extract<Observation, { kind: K }>;

/**
 * What `HealthModel.apply` did with an observation: `stale` when the model already took a newer one
 * for that subject (a late arrival never overwrites a newer state).
 */
export type ApplyOutcome = 'ok' | 'not-found' | 'wrong-mode' | 'stale';

/**
 * Where a source sends what it observed: the health model itself, or later a channel to it from a
 * prober thread or another instance. A source needs nothing else.
 */
export interface ObservationSink {
  apply(observation: Observation): ApplyOutcome;
}

/** Checks data that crossed a boundary (a thread, the network); throws a ZodError naming what is wrong. */
export function parseObservation(value: unknown): Observation {
  return observationSchema.parse(value);
}

/** An observation as JSON text, for a thread or another instance; `parseObservation(JSON.parse(…))` reads it. */
export function serializeObservation(observation: Observation): string {
  return JSON.stringify(observation);
}

/**
 * A probe observation from the compact forms that skip the schema for speed (the prober thread's
 * result batches, the cluster's digests): the health as its index in HEALTH_STATES. Undefined when
 * the parts cannot be one: the same bounds as the schema's.
 */
export function compactProbeObservation(
  subject: ReplicaRef,
  parts: { healthIndex: unknown; latencyMs: unknown; atMs: unknown; reason?: unknown; vantage?: string },
): ObservationOf<'probe'> | undefined {
  const { healthIndex, latencyMs, atMs, reason, vantage } = parts;
  const health = typeof healthIndex === 'number' ? HEALTH_STATES[healthIndex] : undefined;
  if (
    health === undefined ||
    typeof latencyMs !== 'number' ||
    !(latencyMs >= 0 && Number.isFinite(latencyMs)) ||
    typeof atMs !== 'number' ||
    !Number.isFinite(atMs) ||
    (reason !== undefined && typeof reason !== 'string')
  ) {
    return undefined;
  }
  return {
    kind: 'probe',
    subject,
    atMs,
    health,
    latencyMs,
    ...(reason !== undefined && { reason }),
    ...(vantage !== undefined && { vantage }),
  };
}
