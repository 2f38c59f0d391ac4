import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The alert id an attempt is sending, for the HTTP plumbing to put in `Idempotency-Key`: carried
 * by the async context of the attempt, so every HTTP channel sends it without each one passing it
 * down by hand. Holds no state of its own outside a `withIdempotencyKey` call.
 */
const attemptKey = new AsyncLocalStorage<string>();

export function withIdempotencyKey<T>(key: string, send: () => T): T {
  return attemptKey.run(key, send);
}

/** The key of the attempt running now, if any. */
export function currentIdempotencyKey(): string | undefined {
  return attemptKey.getStore();
}
