import type { Clock, TimerHandle } from '../../src/time/clock.js';

interface PendingTimer {
  id: number;
  dueAt: number;
  callback: () => void;
}

/** Earlier due time first; among timers due together, the one set first. */
function firesBefore(a: PendingTimer, b: PendingTimer): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.id < b.id);
}

/**
 * A clock that only moves when the test says so; timers fire in due order during `advance`.
 * Timers sit in a binary heap, so a test with 100,000 of them (a mass death) stays fast.
 */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  /** Timers not cleared, by id; the heap may still hold cleared ones, skipped when they surface. */
  private timers = new Map<number, PendingTimer>();
  private heap: PendingTimer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    const timer = { id, dueAt: this.current + Math.max(0, delayMs), callback };
    this.timers.set(id, timer);
    this.push(timer);
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

  /**
   * Steps the wall clock (NTP, a restored VM) without firing anything: pending timers keep their
   * remaining delays, as Node's monotonic timers do.
   */
  stepWallClock(deltaMs: number): void {
    this.current += deltaMs;
    for (const timer of this.heap) timer.dueAt += deltaMs;
  }

  /** Moves time forward, firing every timer that falls due, earliest first. */
  advance(deltaMs: number): void {
    const target = this.current + deltaMs;
    for (;;) {
      const next = this.heap[0];
      if (!next || next.dueAt > target) break;
      this.pop();
      if (this.timers.get(next.id) !== next) continue;
      this.timers.delete(next.id);
      this.current = next.dueAt;
      next.callback();
    }
    this.current = target;
  }

  private push(timer: PendingTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (!parent || !firesBefore(timer, parent)) break;
      heap[index] = parent;
      heap[parentIndex] = timer;
      index = parentIndex;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      let smallest = index;
      for (const child of [left, left + 1]) {
        const candidate = heap[child];
        const current = heap[smallest];
        if (candidate && current && firesBefore(candidate, current)) smallest = child;
      }
      if (smallest === index) return;
      const swapped = heap[smallest];
      if (!swapped) return;
      heap[smallest] = last;
      heap[index] = swapped;
      index = smallest;
    }
  }
}
