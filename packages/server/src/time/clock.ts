/** Source of time and timers, injected everywhere so tests can drive time by hand. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export type TimerHandle = { readonly __timer: unique symbol } | NodeJS.Timeout;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    // Deadline timers must never keep a stopping process alive.
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Resolves after `delayMs` on the given clock, or rejects when the signal aborts. */
export function sleep(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Node's timers overflow past ~24.8 days; longer delays are chained. */
const LONGEST_TIMER_MS = 2_147_483_647;

/** Like `clock.setTimeout`, for any delay; returns a function that cancels it. */
export function setLongTimeout(clock: Clock, callback: () => void, delayMs: number): () => void {
  const dueAt = clock.now() + delayMs;
  let handle: TimerHandle;
  const arm = () => {
    const remaining = dueAt - clock.now();
    handle = clock.setTimeout(
      remaining > LONGEST_TIMER_MS ? arm : callback,
      Math.min(remaining, LONGEST_TIMER_MS),
    );
  };
  arm();
  return () => clock.clearTimeout(handle);
}
