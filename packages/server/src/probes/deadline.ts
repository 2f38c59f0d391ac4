import type { ProbeResult } from './types.js';

/** "10 s", "0.3 s": how timeouts and thresholds read in reasons. */
export function formatSeconds(ms: number): string {
  return `${ms / 1000} s`;
}

/**
 * The budget of one attempt: a stopwatch plus a signal that aborts when the time is up or when the
 * caller's signal aborts. Probes pass `signal` to every I/O step so one timer covers them all.
 */
export class Deadline {
  readonly signal: AbortSignal;
  private readonly started = performance.now();
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly outer: AbortSignal;
  private abortReason: string | undefined;
  private readonly onOuterAbort = () => this.stop('aborted');

  /** `timeoutMs` undefined means no time limit (script probes without one). */
  constructor(timeoutMs: number | undefined, outer: AbortSignal) {
    this.signal = this.controller.signal;
    this.outer = outer;
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(() => this.stop(`timed out after ${formatSeconds(timeoutMs)}`), timeoutMs);
      // A pending check must never keep a stopping process alive.
      this.timer.unref();
    }
    if (outer.aborted) this.onOuterAbort();
    else outer.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  /** Whole milliseconds since the start, rounded down like Vigil's `as_millis()`. */
  elapsedMs(): number {
    return Math.floor(performance.now() - this.started);
  }

  /** Calls `listener` when the deadline passes, at once if it already has. Returns the remover. */
  onAbort(listener: () => void): () => void {
    if (this.signal.aborted) {
      listener();
      return () => undefined;
    }
    this.signal.addEventListener('abort', listener, { once: true });
    return () => this.signal.removeEventListener('abort', listener);
  }

  /** Settles with `promise`, or rejects as soon as the deadline passes (for steps that take no signal). */
  race<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const stopWatching = this.onAbort(() => reject(this.signal.reason));
      promise.then(resolve, reject).finally(stopWatching);
    });
  }

  healthy(): ProbeResult {
    return { health: 'healthy', latencyMs: this.elapsedMs() };
  }

  /** A dead result. Once the deadline has passed, its reason wins: any error is a consequence of it. */
  dead(reason: string): ProbeResult {
    return { health: 'dead', latencyMs: this.elapsedMs(), reason: this.abortReason ?? reason };
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this.onOuterAbort);
  }

  private stop(reason: string): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller.abort(new Error(reason));
  }
}
