import type { ProbeResult } from './types.js';

/** "10 s", "0.3 s": how timeouts and thresholds read in reasons. */
export function formatSeconds(ms: number): string {
  return `${ms / 1000} s`;
}

/**
 * The budget of one attempt: a stopwatch, one timer, and what to do when the time is up or the
 * caller's signal aborts. Probes register their I/O steps with `onAbort` (or pass `signal`, made
 * only when asked: an AbortController and its signal cost more than a list of callbacks, and a
 * poll round makes one deadline per check).
 */
export class Deadline {
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly outer: AbortSignal;
  private controller: AbortController | undefined;
  private listeners: Array<() => void> | undefined;
  private abortError: Error | undefined;

  /** `timeoutMs` undefined means no time limit (script probes without one). */
  constructor(timeoutMs: number | undefined, outer: AbortSignal) {
    this.outer = outer;
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(() => this.stop(`timed out after ${formatSeconds(timeoutMs)}`), timeoutMs);
      // A pending check must never keep a stopping process alive.
      this.timer.unref();
    }
    if (outer.aborted) this.stop('aborted');
    // The deadline itself is the listener (`handleEvent`): no closure per check.
    else outer.addEventListener('abort', this, { once: true });
  }

  /** Aborts when the deadline passes, with `reason` as its reason. Made on first use. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortError) this.controller.abort(this.abortError);
    }
    return this.controller.signal;
  }

  /** Why the deadline passed (an Error whose message is the reason), once it has. */
  get reason(): Error | undefined {
    return this.abortError;
  }

  /** Whole milliseconds since the start, rounded down like Vigil's `as_millis()`. */
  elapsedMs(): number {
    return Math.floor(performance.now() - this.started);
  }

  /** Calls `listener` when the deadline passes, at once if it already has. Returns the remover. */
  onAbort(listener: () => void): () => void {
    if (this.abortError) {
      listener();
      return () => undefined;
    }
    this.listeners ??= [];
    this.listeners.push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.listeners?.splice(index, 1);
    };
  }

  /** Settles with `promise`, or rejects as soon as the deadline passes (for steps that take no signal). */
  race<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const stopWatching = this.onAbort(() => reject(this.abortError));
      promise.then(resolve, reject).finally(stopWatching);
    });
  }

  healthy(): ProbeResult {
    return { health: 'healthy', latencyMs: this.elapsedMs() };
  }

  /** A dead result. Once the deadline has passed, its reason wins: any error is a consequence of it. */
  dead(reason: string): ProbeResult {
    return { health: 'dead', latencyMs: this.elapsedMs(), reason: this.abortError?.message ?? reason };
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this);
    this.listeners = undefined;
  }

  /** The outer signal aborted (EventListener interface). */
  handleEvent(): void {
    this.stop('aborted');
  }

  private stop(reason: string): void {
    if (this.abortError) return;
    this.abortError = new Error(reason);
    this.controller?.abort(this.abortError);
    const listeners = this.listeners;
    this.listeners = undefined;
    for (const listener of listeners ?? []) listener();
  }
}
