import type { ApplyOutcome, Observation, ObservationSink } from '../../model/observation.js';

/** A batch goes at once when it holds this many observations. */
const MAX_BATCH = 256;
/** Otherwise at most this long after its first observation, so results arrive promptly. */
const MAX_WAIT_MS = 20;

/**
 * An ObservationSink that gathers observations into batches for the main thread: one message per
 * batch instead of one per check. The outcome is the model's to decide, on the other side.
 */
export class ObservationBatcher implements ObservationSink {
  private batch: Observation[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly send: (observations: Observation[]) => void) {}

  apply(observation: Observation): ApplyOutcome {
    this.batch.push(observation);
    if (this.batch.length >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), MAX_WAIT_MS);
    return 'ok';
  }

  /** Sends what is gathered now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const observations = this.batch;
    this.batch = [];
    this.send(observations);
  }
}
