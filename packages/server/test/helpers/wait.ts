import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `condition` every `pauseMs` until it holds; a condition that throws counts as not yet (a
 * server not answering yet). Fails naming `what` after `timeoutMs`.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  pauseMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pauseMs);
  }
}
