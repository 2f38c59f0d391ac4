import type { Health } from '../../model/health.js';
import type { RetryPolicy } from '../../probes/index.js';
import type { PackedTargets } from './packed-targets.js';

/** How the prober thread's rounds run: the same for every job. */
export interface ProberThreadSettings {
  policy: RetryPolicy;
  parallelism: number;
  intervalMs: number;
  spreadMs: number;
  /** The local address HTTP and TCP-based probes connect from. */
  localAddress?: string;
}

/**
 * What the prober thread is started with (`workerData`): structured-cloneable data only. A job is
 * its target's index in `targets`; every message names a job by that index, and only the main
 * thread knows which replica it is.
 */
export interface ProberThreadSetup extends ProberThreadSettings {
  targets: PackedTargets;
}

/**
 * Probe results, compact (`observation-batcher.ts`): per result, four numbers in `numbers`: its job's
 * index in `setup.targets`, its health's index in HEALTH_STATES, its latency and its time (ms); and the
 * reasons of the results that have one, by the result's position in the batch.
 */
export interface ResultBatch {
  numbers: Float64Array<ArrayBuffer>;
  reasons: Array<[number, string]>;
}

/** Main thread → prober thread. */
export type ToProberThread =
  /** Run rounds until stopped. */
  | { type: 'start' }
  /** Run one round now and answer `round-done` with the same id. */
  | { type: 'run-round'; id: number }
  /** The jobs this instance leaves to other cluster members: `skipped[job]` is 1; none by default. */
  | { type: 'share'; skipped: Uint8Array }
  /** Abort the checks in flight, send what was observed, answer `stopped`, and exit. */
  | { type: 'stop' }
  /** Test hook: hold the thread's event loop this long, as a busy thread would. */
  | { type: 'stall'; ms: number }
  /** Test hook: fail as a bug in the thread would (an uncaught exception). */
  | { type: 'crash' };

/** Prober thread → main thread. */
export type FromProberThread =
  /** Results, in the order the checks ended, each with its own time. */
  | { type: 'results'; batch: ResultBatch }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  /** A job's result was set aside, measured while the thread was held `lagMs`: it is checked again. */
  | { type: 'reprobe'; job: number; lagMs: number; health: Health; latencyMs: number }
  /** A job failed unexpectedly; `message` has the target's secrets masked. */
  | { type: 'job-error'; job: number; message: string }
  | { type: 'round-done'; id: number; durationMs: number }
  /** A round of the running loop ended. */
  | { type: 'round-ended'; durationMs: number }
  | { type: 'stopped' };
