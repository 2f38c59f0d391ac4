import { HEALTH_STATES } from '../../model/health.js';
import type { ApplyOutcome, Observation, ObservationSink, ReplicaRef } from '../../model/observation.js';
import type { ResultBatch } from './protocol.js';

/** A batch goes at once when it holds this many results. */
const MAX_BATCH = 256;
/** Otherwise at most this long after its first result, so results arrive promptly. */
const MAX_WAIT_MS = 20;
/** Numbers per result in `ResultBatch.numbers`: job index, health index, latency, time. */
export const NUMBERS_PER_RESULT = 4;

/**
 * An ObservationSink that gathers the prober thread's probe observations into compact batches for
 * the main thread: one message per batch, four numbers per result in one transferred buffer (the
 * main thread knows each job's replica by its index), instead of an object with three id strings
 * to clone and check per result. The outcome is the model's to decide, on the other side.
 */
export class ObservationBatcher implements ObservationSink {
  private numbers: number[] = [];
  private reasons: Array<[number, string]> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** The job's index in the thread's setup, found by its replica reference (the same object). */
    private readonly indexOf: (ref: ReplicaRef) => number | undefined,
    private readonly send: (batch: ResultBatch) => void,
  ) {}

  apply(observation: Observation): ApplyOutcome {
    if (observation.kind !== 'probe') return 'wrong-mode';
    const index = this.indexOf(observation.subject);
    if (index === undefined) return 'not-found';
    const position = this.numbers.length / NUMBERS_PER_RESULT;
    this.numbers.push(
      index,
      HEALTH_STATES.indexOf(observation.health),
      observation.latencyMs,
      observation.atMs,
    );
    if (observation.reason !== undefined) this.reasons.push([position, observation.reason]);
    if (position + 1 >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), MAX_WAIT_MS);
    return 'ok';
  }

  /** Sends what is gathered now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.numbers.length === 0) return;
    const batch = { numbers: Float64Array.from(this.numbers), reasons: this.reasons };
    this.numbers = [];
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
    const health = HEALTH_STATES[numbers[at + 1] ?? -1];
    const latencyMs = numbers[at + 2] ?? Number.NaN;
    const atMs = numbers[at + 3] ?? Number.NaN;
    const reason = reasons.get(position);
    if (!subject || !health || !(latencyMs >= 0) || !Number.isFinite(latencyMs) || !Number.isFinite(atMs)) {
      invalid++;
      continue;
    }
    observations.push({
      kind: 'probe',
      subject,
      atMs,
      health,
      latencyMs,
      ...(reason !== undefined && { reason }),
    });
  }
  return { observations, invalid };
}
