import type { Clock, TimerHandle } from './clock.js';

/** Node's timers overflow past ~24.8 days; a later due time is reached in steps. */
const LONGEST_TIMER_MS = 2_147_483_647;

/** Something a `DueHeap` keeps: it owns these fields while the entry is scheduled. */
export interface DueEntry {
  /** When it falls due. */
  dueAtMs: number;
  /** Its place in the heap, or -1 when it is not scheduled. */
  slot: number;
  /** Order among entries due at the same instant: the one (re)scheduled first goes first. */
  order: number;
}

/**
 * Many deadlines under one clock timer: the entries sit in a binary min-heap that knows each
 * entry's place, so moving a deadline (every report moves one) or cancelling it is O(log n), and
 * the process holds one timer, not one per entry. Due entries are handed to `onDue` at most
 * `perTurn` per turn of the event loop, so a fleet falling due together lets requests through
 * between turns.
 */
export class DueHeap<E extends DueEntry> {
  private readonly heap: E[] = [];
  private timer: TimerHandle | undefined;
  /** When the armed timer fires; undefined when none is armed. */
  private timerAtMs: number | undefined;
  private nextOrder = 0;
  /** True while handing due entries out: what they schedule is armed once, when that is done. */
  private firing = false;

  constructor(
    private readonly clock: Clock,
    private readonly perTurn: number,
    private readonly onDue: (entry: E) => void,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Schedules the entry at `dueAtMs`, or moves it there if it is scheduled already. */
  schedule(entry: E, dueAtMs: number): void {
    const previous = entry.slot >= 0 ? entry.dueAtMs : undefined;
    entry.dueAtMs = dueAtMs;
    entry.order = this.nextOrder++;
    if (previous === undefined) {
      entry.slot = this.heap.length;
      this.heap.push(entry);
      this.siftUp(entry.slot);
    } else if (dueAtMs < previous) this.siftUp(entry.slot);
    else this.siftDown(entry.slot);
    this.arm();
  }

  cancel(entry: E): void {
    const slot = entry.slot;
    if (slot < 0) return;
    entry.slot = -1;
    const last = this.heap.pop();
    if (last && last !== entry) {
      this.heap[slot] = last;
      last.slot = slot;
      this.siftDown(slot);
      this.siftUp(last.slot);
    }
    this.arm();
  }

  /** Drops every entry and the timer. */
  clear(): void {
    for (const entry of this.heap) entry.slot = -1;
    this.heap.length = 0;
    this.disarm();
  }

  /**
   * One clock timer, due no later than the earliest entry; nothing when the heap is empty. A timer
   * armed for an earlier time is kept: every report moves its replica's deadline later, often the
   * earliest one, and replacing the timer each time was a timer made and cancelled per report. An
   * early timer finds nothing due and arms the next one (about once per report interval).
   */
  private arm(): void {
    if (this.firing) return;
    const first = this.heap[0];
    if (first !== undefined && this.timerAtMs !== undefined && this.timerAtMs <= first.dueAtMs) return;
    this.disarm();
    if (!first) return;
    const delayMs = Math.min(Math.max(0, first.dueAtMs - this.clock.now()), LONGEST_TIMER_MS);
    this.timerAtMs = first.dueAtMs;
    this.timer = this.clock.setTimeout(() => this.fire(), delayMs);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAtMs = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAtMs = undefined;
    const now = this.clock.now();
    this.firing = true;
    try {
      for (let handled = 0; handled < this.perTurn; handled++) {
        const first = this.heap[0];
        if (!first || first.dueAtMs > now) break;
        this.cancel(first);
        this.onDue(first);
      }
    } finally {
      this.firing = false;
    }
    // More due already: the next turn, after whatever else is waiting.
    const first = this.heap[0];
    if (first && first.dueAtMs <= now) {
      this.timerAtMs = now;
      this.timer = this.clock.setTimeout(() => this.fire(), 0);
    } else this.arm();
  }

  private before(a: E, b: E): boolean {
    return a.dueAtMs < b.dueAtMs || (a.dueAtMs === b.dueAtMs && a.order < b.order);
  }

  private place(entry: E, slot: number): void {
    this.heap[slot] = entry;
    entry.slot = slot;
  }

  private siftUp(start: number): void {
    const entry = this.heap[start];
    if (!entry) return;
    let slot = start;
    while (slot > 0) {
      const parentSlot = (slot - 1) >> 1;
      const parent = this.heap[parentSlot];
      if (!parent || !this.before(entry, parent)) break;
      this.place(parent, slot);
      slot = parentSlot;
    }
    this.place(entry, slot);
  }

  private siftDown(start: number): void {
    const entry = this.heap[start];
    if (!entry) return;
    let slot = start;
    for (;;) {
      const leftSlot = 2 * slot + 1;
      const left = this.heap[leftSlot];
      if (!left) break;
      const right = this.heap[leftSlot + 1];
      const rightFirst = right !== undefined && this.before(right, left);
      const child = rightFirst ? right : left;
      if (!this.before(child, entry)) break;
      this.place(child, slot);
      slot = rightFirst ? leftSlot + 1 : leftSlot;
    }
    this.place(entry, slot);
  }
}
