import type { Clock } from '../time/clock.js';

/** Keys remembered at once (~100 bytes each); the one used least recently is forgotten first. */
const KEYS_MAX = 10_000;

/**
 * Counts uses per key in fixed windows and refuses past a limit: the sign-up limits per client
 * and per address. Kept in memory: a restart forgives, which the per-day address limit bounds anyway.
 */
export class WindowCounter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  constructor(
    private readonly options: { limit: number; windowMs: number; clock: Clock; keysMax?: number },
  ) {}

  /** Counts one use of `key`; false (nothing counted) when the key already used up its window. */
  take(key: string): boolean {
    const nowMs = this.options.clock.now();
    const found = this.windows.get(key);
    const window =
      found && nowMs - found.startMs < this.options.windowMs ? found : { startMs: nowMs, count: 0 };
    if (window.count >= this.options.limit) return false;
    window.count += 1;
    this.windows.delete(key);
    this.windows.set(key, window);
    for (const oldest of this.windows.keys()) {
      if (this.windows.size <= (this.options.keysMax ?? KEYS_MAX)) break;
      this.windows.delete(oldest);
    }
    return true;
  }
}
