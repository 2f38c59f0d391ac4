import type { Clock, TimerHandle } from '../../time/clock.js';

/**
 * How long after a round's end the prober thread's heap is collected the second time. V8 gives a
 * young generation back (2 × 16 MB once a round has grown it) at a full collection only when the
 * allocation rate it measured over the ~5 s before is low: sooner, or with the round's last
 * allocations still counted (hence a first collection at the round's end), it keeps it.
 */
export const COLLECT_AFTER_ROUND_MS = 5500;
/** The second collection is skipped unless the next round starts at least this long after it. */
const MARGIN_BEFORE_NEXT_ROUND_MS = 1000;

export interface IdleCollectionOptions {
  clock: Clock;
  /** The pause between a round's end and the next round's start. */
  intervalMs: number;
  /** A full garbage collection of this thread's heap. */
  collect: () => void;
}

/**
 * Gives the prober thread's memory back while it waits for its next round. A round leaves an old
 * generation full of promoted checks (their objects outlive two scavenges while 256 answers are
 * awaited) and a young generation grown to its largest, which V8 otherwise keeps through the pause.
 * A full collection when the round ends frees the checks; a second one, once the thread has been
 * quiet long enough for V8 to shrink the young generation too, gives that back, when the pause is
 * longer than that: with shorter ones the next round would grow it straight back.
 */
export class IdleCollection {
  private timer: TimerHandle | undefined;

  constructor(private readonly options: IdleCollectionOptions) {}

  /** A round ended, nothing is in flight: collects now, and again after COLLECT_AFTER_ROUND_MS. */
  roundEnded(): void {
    const { clock, intervalMs, collect } = this.options;
    this.cancel();
    collect();
    if (intervalMs < COLLECT_AFTER_ROUND_MS + MARGIN_BEFORE_NEXT_ROUND_MS) return;
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      collect();
    }, COLLECT_AFTER_ROUND_MS);
  }

  /** The thread stops: no collection is due. */
  cancel(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
