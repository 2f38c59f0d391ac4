import { type Clock, setLongTimeout } from '../time/clock.js';

/**
 * PostgreSQL refuses NOTIFY payloads from 8,000 bytes: items go several to a notification, up to
 * this, and one that alone is larger cannot be sent.
 */
export const MAX_PAYLOAD_BYTES = 7900;

/**
 * Serialized items gathered into NOTIFY payloads on one channel: `head`, the items separated by
 * commas, then `tail` (a JSON envelope around a list). A payload goes when the next item would not
 * fit, or `waitMs` after its first item, whichever comes first.
 */
export class NotificationBatch {
  private items: string[] = [];
  private itemBytes = 0;
  private cancelWait: (() => void) | undefined;
  private readonly envelopeBytes: number;
  private stopped = false;

  constructor(
    private readonly options: {
      channel: string;
      head: string;
      tail: string;
      waitMs: number;
      /** Sends one payload; a failure is the caller's to log (sharing is best effort). */
      notify: (channel: string, payload: string) => Promise<void>;
      onError: (error: unknown) => void;
      clock: Clock;
    },
  ) {
    this.envelopeBytes = Buffer.byteLength(options.head) + Buffer.byteLength(options.tail);
  }

  /** Adds one item; false when it alone is too large for a notification (it is not sent). */
  add(text: string): boolean {
    const bytes = Buffer.byteLength(text) + 1;
    if (this.envelopeBytes + bytes > MAX_PAYLOAD_BYTES) return false;
    if (this.envelopeBytes + this.itemBytes + bytes > MAX_PAYLOAD_BYTES) this.flush();
    this.items.push(text);
    this.itemBytes += bytes;
    if (this.items.length === 1) {
      this.cancelWait = setLongTimeout(this.options.clock, () => this.flush(), this.options.waitMs);
    }
    return true;
  }

  /** Sends what is gathered now, in one notification. */
  flush(): void {
    this.cancelWait?.();
    this.cancelWait = undefined;
    if (this.items.length === 0 || this.stopped) return;
    const { head, tail, channel } = this.options;
    const payload = `${head}${this.items.join(',')}${tail}`;
    this.items = [];
    this.itemBytes = 0;
    this.options.notify(channel, payload).catch(this.options.onError);
  }

  /** Sends what is gathered, then nothing more. */
  stop(): void {
    this.flush();
    this.stopped = true;
  }
}
