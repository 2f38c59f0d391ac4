import { performance } from 'node:perf_hooks';

/** How often the monitor's timer asks to run: the finest lag it can see. */
const TICK_MS = 20;
/** Lags shorter than this are noise and are not kept. */
const NOTABLE_LAG_MS = 5;
/** Lags older than this are forgotten: longer than any one check with its retries takes. */
const KEEP_MS = 10 * 60_000;
/** At most this many lags are kept, whatever their age. */
const MAX_SAMPLES = 10_000;

/**
 * Measures how late this thread's event loop runs a timer: a check whose callback ran late because
 * the thread was busy measured that wait as the target's latency. Times are monotonic
 * (`performance.now()`), independent of the injected clock, as the lag is the real thread's.
 */
export class LagMonitor {
  private readonly samples: { atMs: number; lagMs: number }[] = [];
  private expectedAtMs = 0;
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    if (this.timer) return;
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A point in time to measure from (`worstSince`). */
  mark(): number {
    return performance.now();
  }

  /** The longest the loop was held since `mark`, including a hold still going on now. */
  worstSince(mark: number): number {
    const now = performance.now();
    let worst = this.timer ? Math.max(0, now - this.expectedAtMs) : 0;
    for (let index = this.samples.length - 1; index >= 0; index--) {
      const sample = this.samples[index];
      if (!sample || sample.atMs < mark) break;
      worst = Math.max(worst, sample.lagMs);
    }
    return worst;
  }

  private schedule(): void {
    this.expectedAtMs = performance.now() + TICK_MS;
    this.timer = setTimeout(() => this.tick(), TICK_MS);
    // Measuring never keeps a thread alive.
    this.timer.unref();
  }

  private tick(): void {
    const now = performance.now();
    const lagMs = now - this.expectedAtMs;
    if (lagMs >= NOTABLE_LAG_MS) this.samples.push({ atMs: now, lagMs });
    while (this.samples.length > MAX_SAMPLES || (this.samples[0] && this.samples[0].atMs < now - KEEP_MS)) {
      this.samples.shift();
    }
    this.schedule();
  }
}
