import { type Clock, systemClock } from '../../src/time/clock.js';

/**
 * Real timers, and a `now` that can be held still so that a whole fleet reports at the same
 * instant. While held, timers run from that instant too, so their deadlines fall due together.
 */
export function holdableClock() {
  let heldAtMs: number | undefined;
  const clock: Clock = {
    ...systemClock,
    now: () => heldAtMs ?? Date.now(),
    setTimeout: (callback, delayMs) =>
      systemClock.setTimeout(callback, delayMs - (heldAtMs === undefined ? 0 : Date.now() - heldAtMs)),
  };
  return {
    clock,
    /** Stops `now` at the current time, and returns it. */
    hold: (): number => {
      heldAtMs = Date.now();
      return heldAtMs;
    },
    release: () => {
      heldAtMs = undefined;
    },
  };
}
