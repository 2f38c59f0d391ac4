/**
 * Received bulk work waiting to be applied: one item (a notification, at most ~130 results, a few
 * milliseconds of work) per turn of the event loop, so news, the member's own probe results and
 * requests are handled in between, however many arrive at once. Beyond `maxWaiting` the oldest is
 * dropped: bulk results only refresh what the next round refreshes again.
 */
export class DigestQueue<T> {
  /** Boxed, so that an item may be any value. */
  private waiting: Array<{ item: T }> = [];
  private turn: NodeJS.Immediate | undefined;

  constructor(
    private readonly apply: (item: T) => void,
    /** Called each time the oldest waiting item is dropped. */
    private readonly onDropped: () => void,
    private readonly maxWaiting = 2000,
  ) {}

  push(item: T): void {
    if (this.waiting.length >= this.maxWaiting) {
      this.waiting.shift();
      this.onDropped();
    }
    this.waiting.push({ item });
    this.turn ??= setImmediate(() => this.next());
  }

  /** Whether every item pushed was applied (or dropped). */
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
    const next = this.waiting.shift();
    if (!next) return;
    // The next turn is booked first: an item that throws must not stall the ones behind it.
    if (this.waiting.length > 0) this.turn = setImmediate(() => this.next());
    this.apply(next.item);
  }
}
