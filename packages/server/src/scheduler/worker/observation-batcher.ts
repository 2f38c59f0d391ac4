import { HEALTH_STATES } from '../../model/health.js';
import { compactProbeObservation, type Observation, type ReplicaRef } from '../../model/observation.js';
import type { ProbeResult } from '../../probes/types.js';
import type { ResultBatch } from './protocol.js';

/** A batch goes at once when it holds this many results. */
const MAX_BATCH = 256;
/** Otherwise at most this long after its first result, so results arrive promptly. */
const MAX_WAIT_MS = 20;
/** Numbers per result in `ResultBatch.numbers`: job index, health index, latency, time. */
export const NUMBERS_PER_RESULT = 4;

/**
 * Gathers the prober thread's results into compact batches for the main thread: one message per
 * batch, four numbers per result written straight into the buffer that is then transferred (the
 * main thread knows each job's replica by its index), instead of an observation object with three
 * id strings to clone and check per result. The outcome is the model's to decide, on the other side.
 */
export class ResultBatcher {
  private numbers: Float64Array<ArrayBuffer> | undefined;
  private count = 0;
  private reasons: Array<[number, string]> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly send: (batch: ResultBatch) => void) {}

  /** Job `job`'s result, observed at `atMs`. */
  add(job: number, result: ProbeResult, atMs: number): void {
    this.numbers ??= new Float64Array(MAX_BATCH * NUMBERS_PER_RESULT);
    const position = this.count++;
    const at = position * NUMBERS_PER_RESULT;
    this.numbers[at] = job;
    this.numbers[at + 1] = HEALTH_STATES.indexOf(result.health);
    this.numbers[at + 2] = result.latencyMs;
    this.numbers[at + 3] = atMs;
    if (result.reason !== undefined) this.reasons.push([position, result.reason]);
    if (this.count >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), MAX_WAIT_MS);
  }

  /** Sends what is gathered now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.numbers || this.count === 0) return;
    const batch = {
      numbers: this.numbers.subarray(0, this.count * NUMBERS_PER_RESULT),
      reasons: this.reasons,
    };
    this.numbers = undefined;
    this.count = 0;
    this.reasons = [];
    this.send(batch);
  }
}

/**
 * The main thread's side: the batch's probe observations, each for its job's replica. A result that
 * is not one (an index out of range, a health or a number that cannot be) is left out and counted.
 */
export function observationsOf(
  batch: ResultBatch,
  refs: (index: number) => ReplicaRef | undefined,
): { observations: Observation[]; invalid: number } {
  const { numbers } = batch;
  const reasons = new Map(batch.reasons);
  const observations: Observation[] = [];
  let invalid = 0;
  for (let position = 0; position * NUMBERS_PER_RESULT < numbers.length; position++) {
    const at = position * NUMBERS_PER_RESULT;
    const subject = refs(numbers[at] ?? -1);
    const observation =
      subject &&
      compactProbeObservation(subject, {
        healthIndex: numbers[at + 1],
        latencyMs: numbers[at + 2],
        atMs: numbers[at + 3],
        reason: reasons.get(position),
      });
    if (observation) observations.push(observation);
    else invalid++;
  }
  return { observations, invalid };
}
