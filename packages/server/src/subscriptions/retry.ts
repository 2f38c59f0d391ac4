import { type Clock, sleep } from '../time/clock.js';

/** Pauses before the second and third tries: a subscriber's mail or webhook gets three in all. */
export const RETRY_DELAYS_MS = [5_000, 60_000] as const;

/**
 * Runs `attempt` over the items, then again over those that failed after each delay; returns the
 * last error of each item that never succeeded. Bounded: never more tries than delays + 1.
 */
export async function withRetries<T>(
  items: readonly T[],
  attempt: (items: readonly T[]) => Promise<Array<Error | undefined>>,
  options: { clock: Clock; signal: AbortSignal },
): Promise<Array<{ item: T; error: Error }>> {
  let failed: Array<{ item: T; error: Error }> = [];
  let todo = items;
  for (let round = 0; ; round++) {
    const results = await attempt(todo);
    failed = todo.flatMap((item, index) => {
      const error = results[index];
      return error ? [{ item, error }] : [];
    });
    const delayMs = RETRY_DELAYS_MS[round];
    if (failed.length === 0 || delayMs === undefined || options.signal.aborted) return failed;
    await sleep(options.clock, delayMs, options.signal).catch(() => undefined);
    if (options.signal.aborted) return failed;
    todo = failed.map((each) => each.item);
  }
}
