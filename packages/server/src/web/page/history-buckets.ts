import { BUCKET_MS } from '../../history/rollup/buckets.js';
import type { Resolution, RollupRow } from '../../store/types.js';

/** One bucket of one series in the window; no row means no data. */
export interface Slot {
  bucketMs: number;
  row?: RollupRow;
}

/**
 * The rows of a fixed list of series over a window of buckets that moves with time. Closed
 * buckets never change, so each is read once; the open bucket and the one before it are read at
 * every update (a bucket's final row is written at the first flush after it closes).
 */
export class BucketWindow {
  private starts: number[] = [];
  private readonly rows = new Map<number, ReadonlyArray<RollupRow | undefined>>();

  constructor(
    private readonly resolution: Resolution,
    /** Rows of every series of the list in one bucket, in list order. */
    private readonly read: (bucketMs: number) => Promise<ReadonlyArray<RollupRow | undefined>>,
  ) {}

  /** Holds the buckets starting in `[fromMs, toMs)`, as `/api/v1/latency` selects them. */
  async update(fromMs: number, toMs: number): Promise<void> {
    const size = BUCKET_MS[this.resolution];
    const starts: number[] = [];
    for (let start = Math.ceil(fromMs / size) * size; start < toMs; start += size) starts.push(start);
    const wanted = new Set(starts);
    for (const bucketMs of this.rows.keys()) if (!wanted.has(bucketMs)) this.rows.delete(bucketMs);
    const reread = new Set(starts.slice(-2));
    for (const bucketMs of starts) {
      if (!this.rows.has(bucketMs) || reread.has(bucketMs))
        this.rows.set(bucketMs, await this.read(bucketMs));
    }
    this.starts = starts;
  }

  /** The window's buckets for the series at `index` of the list, oldest first. */
  slots(index: number): Slot[] {
    return this.starts.map((bucketMs) => {
      const row = this.rows.get(bucketMs)?.[index];
      return row === undefined ? { bucketMs } : { bucketMs, row };
    });
  }
}
