import type { Clock, TimerHandle } from '../time/clock.js';

/**
 * Runs queued tasks in order, at most `perTurn` per turn of the event loop (one timer each), so
 * that work falling due all together, such as a fleet of push replicas going silent at the same
 * moment, lets requests through between turns instead of holding the server until it is done.
 */
export class TurnQueue {
  private tasks: Array<(() => void) | undefined> = [];
  private head = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly perTurn: number,
  ) {}

  get size(): number {
    return this.tasks.length - this.head;
  }

  push(task: () => void): void {
    this.tasks.push(task);
    this.timer ??= this.clock.setTimeout(() => this.turn(), 0);
  }

  /** Drops every task not run yet. */
  clear(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.tasks = [];
    this.head = 0;
  }

  private turn(): void {
    this.timer = undefined;
    const end = Math.min(this.tasks.length, this.head + this.perTurn);
    while (this.head < end) {
      const task = this.tasks[this.head];
      // Released as it runs, so a long queue does not hold what its tasks refer to.
      this.tasks[this.head] = undefined;
      this.head += 1;
      task?.();
    }
    if (this.head < this.tasks.length) {
      this.timer = this.clock.setTimeout(() => this.turn(), 0);
      return;
    }
    this.tasks = [];
    this.head = 0;
  }
}
