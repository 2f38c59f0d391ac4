/**
 * Received bulk notifications waiting to be applied: one per turn of the event loop (a payload holds
 * at most ~130 results, a few milliseconds of work), so news, the member's own probe results and
 * requests are handled in between, however many arrive at once. Beyond `maxWaiting` the oldest is
 * dropped: bulk results only refresh what the next round refreshes again.
 */
export class DigestQueue {
  private waiting: string[] = [];
  private turn: NodeJS.Immediate | undefined;

  constructor(
    private readonly apply: (payload: string) => void,
    /** Called each time the oldest waiting payload is dropped. */
    private readonly onDropped: () => void,
    private readonly maxWaiting = 2000,
  ) {}

  push(payload: string): void {
    if (this.waiting.length >= this.maxWaiting) {
      this.waiting.shift();
      this.onDropped();
    }
    this.waiting.push(payload);
    this.turn ??= setImmediate(() => this.next());
  }

  /** Whether every payload pushed was applied (or dropped). */
  get idle(): boolean {
    return this.waiting.length === 0;
  }

  stop(): void {
    if (this.turn) clearImmediate(this.turn);
    this.turn = undefined;
    this.waiting = [];
  }

  private next(): void {
    this.turn = undefined;
    const payload = this.waiting.shift();
    if (payload === undefined) return;
    // The next turn is booked first: a payload that throws must not stall the ones behind it.
    if (this.waiting.length > 0) this.turn = setImmediate(() => this.next());
    this.apply(payload);
  }
}
