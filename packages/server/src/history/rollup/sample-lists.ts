import { grown, nextCapacity } from '../../typed-columns.js';

/** Samples per chunk: a replica polled every 10 s takes one chunk a minute. */
const CHUNK = 8;
const NONE = -1;
/** The largest whole millisecond a slot holds (49 days: no latency comes near). */
const MAX_MS = 0xffff_ffff;
/** The longest list gathered in the kept scratch array; a longer one (a large service's) gets its own. */
const SCRATCH_MAX = 4096;

/**
 * Every series' latencies of its open minute, in whole milliseconds, pooled in chunks of one typed
 * array: a list is its newest chunk (its head; -1 for none) and its length, both kept by the caller,
 * each chunk linking to the one before it. Whole milliseconds because the store keeps whole
 * milliseconds: rounding is monotonic, so the nearest rank of rounded samples is the rounded
 * nearest rank, and the rows written are the same.
 */
export class SampleLists {
  private values = new Uint32Array(0);
  private next = new Int32Array(0);
  private chunks = 0;
  /** Free chunks, linked through `next`. */
  private firstFree = NONE;
  /** Where `sorted` gathers a list; reused, so a minute's close makes no garbage. */
  private readonly scratch = new Uint32Array(SCRATCH_MAX);

  /** Adds `latencyMs` to the list with `head` and `length`; returns the list's (new) head. */
  push(head: number, length: number, latencyMs: number): number {
    const at = length % CHUNK;
    let chunk = head;
    if (at === 0 || head === NONE) {
      chunk = this.take();
      this.next[chunk] = head;
    }
    this.values[chunk * CHUNK + at] = Math.min(MAX_MS, Math.round(latencyMs));
    return chunk;
  }

  /** The list's samples in ascending order; valid until the next call. */
  sorted(head: number, length: number): Uint32Array {
    const gathered = length <= SCRATCH_MAX ? this.scratch : new Uint32Array(length);
    let filled = 0;
    let inChunk = length % CHUNK || CHUNK;
    for (let chunk = head; chunk !== NONE && filled < length; chunk = this.next[chunk] ?? NONE) {
      gathered.set(this.values.subarray(chunk * CHUNK, chunk * CHUNK + inChunk), filled);
      filled += inChunk;
      inChunk = CHUNK;
    }
    return gathered.subarray(0, filled).sort();
  }

  /** Gives the list's chunks back. */
  release(head: number): void {
    if (head === NONE) return;
    let tail = head;
    for (let chunk = this.next[tail] ?? NONE; chunk !== NONE; chunk = this.next[tail] ?? NONE) tail = chunk;
    this.next[tail] = this.firstFree;
    this.firstFree = head;
  }

  private take(): number {
    if (this.firstFree !== NONE) {
      const chunk = this.firstFree;
      this.firstFree = this.next[chunk] ?? NONE;
      return chunk;
    }
    const chunk = this.chunks;
    this.chunks += 1;
    if (this.chunks > this.next.length) {
      const capacity = nextCapacity(this.next.length, this.chunks);
      this.next = grown(this.next, capacity);
      this.values = grown(this.values, capacity * CHUNK);
    }
    return chunk;
  }
}
