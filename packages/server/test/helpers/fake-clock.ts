import type { Clock, TimerHandle } from '../../src/time/clock.js';

interface PendingTimer {
  id: number;
  dueAt: number;
  callback: () => void;
}

/** A clock that only moves when the test says so; timers fire in due order during `advance`. */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers = new Map<number, PendingTimer>();

  constructor(startMs = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueAt: this.current + Math.max(0, delayMs), callback });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as number);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** When the earliest pending timer falls due; undefined when none is pending. */
  get nextDueAtMs(): number | undefined {
    let earliest: number | undefined;
    for (const timer of this.timers.values()) {
      if (earliest === undefined || timer.dueAt < earliest) earliest = timer.dueAt;
    }
    return earliest;
  }

  /** Moves time forward, firing every timer that falls due, earliest first. */
  advance(deltaMs: number): void {
    const target = this.current + deltaMs;
    for (;;) {
      let next: PendingTimer | undefined;
      for (const timer of this.timers.values()) {
        if (
          timer.dueAt <= target &&
          (!next || timer.dueAt < next.dueAt || (timer.dueAt === next.dueAt && timer.id < next.id))
        ) {
          next = timer;
        }
      }
      if (!next) break;
      this.timers.delete(next.id);
      this.current = next.dueAt;
      next.callback();
    }
    this.current = target;
  }
}
