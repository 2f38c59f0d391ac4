import { BUCKET_MS } from '../../history/rollup/buckets.js';
import type { BucketSummary, Resolution, RollupRow } from '../../store/types.js';

/** One bucket of one series in the window: the kept figures its row had; none when it had no row. */
export type Slot = { bucketMs: number } & Partial<BucketSummary>;

/**
 * The rows of a fixed list of series over a window of buckets that moves with time. Closed
 * buckets never change, so each is read once; the open bucket and the one before it are read at
 * every update (a bucket's final row is written at the first flush after it closes).
 *
 * Only the figures the page draws are kept, packed per bucket in one array of numbers (NaN for
 * none): at 20,000 nodes, 90 days of row objects were ~1.8 million objects of ~190 bytes.
 */
export class BucketWindow {
  private starts: number[] = [];
  private readonly figures = new Map<number, Float64Array>();

  constructor(
    private readonly resolution: Resolution,
    /** The figures kept of each row. */
    private readonly fields: ReadonlyArray<keyof BucketSummary>,
    /** Rows of every series of the list in one bucket, in list order. */
    private readonly read: (bucketMs: number) => Promise<ReadonlyArray<RollupRow | undefined>>,
  ) {}

  /** Holds the buckets starting in `[fromMs, toMs)`, as `/api/v1/latency` selects them. */
  async update(fromMs: number, toMs: number): Promise<void> {
    const size = BUCKET_MS[this.resolution];
    const starts: number[] = [];
    for (let start = Math.ceil(fromMs / size) * size; start < toMs; start += size) starts.push(start);
    const wanted = new Set(starts);
    for (const bucketMs of this.figures.keys()) if (!wanted.has(bucketMs)) this.figures.delete(bucketMs);
    const reread = new Set(starts.slice(-2));
    for (const bucketMs of starts) {
      if (!this.figures.has(bucketMs) || reread.has(bucketMs))
        this.figures.set(bucketMs, this.pack(await this.read(bucketMs)));
    }
    this.starts = starts;
  }

  /** The window's buckets for the series at `index` of the list, oldest first. */
  slots(index: number): Slot[] {
    const width = this.fields.length;
    return this.starts.map((bucketMs) => {
      const slot: Slot = { bucketMs };
      const packed = this.figures.get(bucketMs);
      if (!packed) return slot;
      this.fields.forEach((field, column) => {
        const value = packed[index * width + column];
        if (value !== undefined && !Number.isNaN(value)) slot[field] = value;
      });
      return slot;
    });
  }

  private pack(rows: ReadonlyArray<RollupRow | undefined>): Float64Array {
    const width = this.fields.length;
    const packed = new Float64Array(rows.length * width).fill(Number.NaN);
    rows.forEach((row, index) => {
      if (!row) return;
      this.fields.forEach((field, column) => {
        const value = row[field];
        if (typeof value === 'number') packed[index * width + column] = value;
      });
    });
    return packed;
  }
}
