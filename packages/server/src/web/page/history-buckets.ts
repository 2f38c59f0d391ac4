import { BUCKET_MS } from '../../history/rollup/buckets.js';
import type { BucketSummary, Resolution, RollupRow } from '../../store/types.js';

/** One bucket of one series in the window: the kept figures its row had; none when it had no row. */
export type Slot = { bucketMs: number } & Partial<BucketSummary>;

/** A bucket without any row: every series' figures read as none. */
const NO_ROWS = new Float64Array(0);

/** The window as one update left it: later updates never change it. */
export class BucketSlots {
  constructor(
    private readonly starts: readonly number[],
    private readonly figures: ReadonlyMap<number, Float64Array>,
    private readonly fields: ReadonlyArray<keyof BucketSummary>,
  ) {}

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
}

/**
 * The rows of a fixed list of series over a window of buckets that moves with time. Closed
 * buckets never change, so each is read once; the open bucket and the one before it are read at
 * every update (a bucket's final row is written at the first flush after it closes).
 *
 * Only the figures the page draws are kept, packed per bucket in one array of numbers (NaN for
 * none): at 20,000 nodes, 90 days of row objects were ~1.8 million objects of ~190 bytes.
 */
export class BucketWindow {
  private held: BucketSlots;
  private figures = new Map<number, Float64Array>();

  constructor(
    private readonly resolution: Resolution,
    /** The figures kept of each row. */
    private readonly fields: ReadonlyArray<keyof BucketSummary>,
    /** Rows of every series of the list in one bucket, in list order. */
    private readonly read: (bucketMs: number) => Promise<ReadonlyArray<RollupRow | undefined>>,
  ) {
    this.held = new BucketSlots([], this.figures, fields);
  }

  /** The buckets as the last update left them. */
  get current(): BucketSlots {
    return this.held;
  }

  /** Holds the buckets starting in `[fromMs, toMs)`, as `/api/v1/latency` selects them. */
  async update(fromMs: number, toMs: number): Promise<void> {
    const size = BUCKET_MS[this.resolution];
    const starts: number[] = [];
    for (let start = Math.ceil(fromMs / size) * size; start < toMs; start += size) starts.push(start);
    const reread = new Set(starts.slice(-2));
    // A new map: what `current` gave out stays as it was.
    const figures = new Map<number, Float64Array>();
    for (const bucketMs of starts) {
      const kept = reread.has(bucketMs) ? undefined : this.figures.get(bucketMs);
      figures.set(bucketMs, kept ?? this.pack(await this.read(bucketMs)));
    }
    this.figures = figures;
    this.held = new BucketSlots(starts, figures, this.fields);
  }

  private pack(rows: ReadonlyArray<RollupRow | undefined>): Float64Array {
    // Most of a new fleet's 90 days have no row at all: nothing to hold for them.
    if (rows.every((row) => row === undefined)) return NO_ROWS;
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
