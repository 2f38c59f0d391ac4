import { emptyBatch, type SeriesBatch, type SeriesRow } from '../history/rollup/aggregator.js';
import { BUCKET_MS } from '../history/rollup/buckets.js';
import { grown } from '../typed-columns.js';
import { type BucketSummary, RESOLUTIONS, type Resolution, type SeriesKey } from './types.js';

/** Every number of a summary (one missing here fails to compile), kept in this order. */
const KEPT = {
  healthySeconds: true,
  sickSeconds: true,
  deadSeconds: true,
  maintenanceSeconds: true,
  samples: true,
  p50Ms: true,
  p95Ms: true,
  maxMs: true,
} satisfies Record<keyof BucketSummary, true>;
/** An absent optional number is kept as NaN. */
const FIELDS = Object.keys(KEPT) as Array<keyof typeof KEPT>;

const MIN_ROWS = 64;

/**
 * The rows of one bucket (one minute, hour or day): their series and their numbers side by side in
 * one typed array, which the garbage collector never walks, rather than an object per row.
 */
class HeldBucket {
  private readonly keys: SeriesKey[] = [];
  private values: Float64Array;
  /** Where each series' row is, for buckets whose rows are replaced (an open hour, every minute). */
  private readonly slotOf: Map<SeriesKey, number> | undefined;

  constructor(
    readonly bucketMs: number,
    replaced: boolean,
    /** Rows it is expected to hold (as many as the bucket before): room for more is made as needed. */
    expectedRows: number,
  ) {
    this.slotOf = replaced ? new Map() : undefined;
    this.values = new Float64Array(Math.max(MIN_ROWS, expectedRows) * FIELDS.length);
  }

  get size(): number {
    return this.keys.length;
  }

  /**
   * Keeps the row under `series` (its key, the same object for every row of the series); in a
   * bucket whose rows are replaced, in place of its series' earlier one.
   */
  set(row: SeriesRow, series: SeriesKey): void {
    let slot = this.slotOf?.get(series);
    if (slot === undefined) {
      slot = this.keys.length;
      this.keys.push(series);
      this.slotOf?.set(series, slot);
      if ((slot + 1) * FIELDS.length > this.values.length)
        this.values = grown(this.values, this.values.length * 2);
    }
    const base = slot * FIELDS.length;
    for (const [index, field] of FIELDS.entries()) this.values[base + index] = row[field] ?? Number.NaN;
  }

  /** The rows as objects again, in the order their series came. */
  rows(): SeriesRow[] {
    return this.keys.map((series, slot) => {
      const row: SeriesRow = {
        series,
        bucketMs: this.bucketMs,
        healthySeconds: 0,
        sickSeconds: 0,
        deadSeconds: 0,
        samples: 0,
      };
      const base = slot * FIELDS.length;
      for (const [index, field] of FIELDS.entries()) {
        const value = this.values[base + index] ?? Number.NaN;
        if (!Number.isNaN(value)) row[field] = value;
      }
      return row;
    });
  }
}

function sameSeries(a: SeriesKey, b: SeriesKey): boolean {
  return (
    a.kind === b.kind && a.serviceId === b.serviceId && a.nodeId === b.nodeId && a.replicaId === b.replicaId
  );
}

function largestSize(buckets: ReadonlyMap<number, HeldBucket>): number {
  let largest = 0;
  for (const bucket of buckets.values()) largest = Math.max(largest, bucket.size);
  return largest;
}

/**
 * The history rows a member that does not write history keeps, so that it can write them if it
 * becomes the writer: the latest row of each (series, bucket) whose bucket ended within `windowMs`
 * (the open hours and days included). Rows are grouped by bucket, so the ones that age out go a
 * whole bucket at a time, with no work per row.
 */
export class HeldHistory {
  private readonly buckets: Record<Resolution, Map<number, HeldBucket>> = {
    minute: new Map(),
    hour: new Map(),
    day: new Map(),
  };

  /**
   * One key object per series index, so that every row of a series carries the same one: rows
   * come with a key made for each, and an open hour's row replaces its series' earlier one by it.
   */
  private readonly keys = new Map<number, SeriesKey>();

  constructor(
    private readonly windowMs: number,
    /** The series' index in the history table; undefined for one no longer tracked. */
    private readonly indexOf: (key: SeriesKey) => number | undefined,
  ) {}

  /** Rows held, every resolution. */
  get size(): number {
    let total = 0;
    for (const resolution of RESOLUTIONS) {
      for (const bucket of this.buckets[resolution].values()) total += bucket.size;
    }
    return total;
  }

  /** Keeps the rows of `batch` (later rows of a bucket replace earlier ones); drops what aged out. */
  hold(batch: SeriesBatch, nowMs: number): void {
    const oldestEndMs = nowMs - this.windowMs;
    for (const resolution of RESOLUTIONS) {
      const buckets = this.buckets[resolution];
      for (const row of batch[resolution]) {
        if (row.bucketMs + BUCKET_MS[resolution] < oldestEndMs) continue;
        let bucket = buckets.get(row.bucketMs);
        if (!bucket) {
          // A minute's rows come once, when it closes; an open hour's or day's every minute.
          bucket = new HeldBucket(row.bucketMs, resolution !== 'minute', largestSize(buckets));
          buckets.set(row.bucketMs, bucket);
        }
        bucket.set(row, this.shared(row.series));
      }
      for (const [bucketMs, bucket] of buckets) {
        if (bucket.bucketMs + BUCKET_MS[resolution] < oldestEndMs) buckets.delete(bucketMs);
      }
    }
  }

  /** The key object kept for this series (an index reused by another series gets the new one). */
  private shared(key: SeriesKey): SeriesKey {
    const index = this.indexOf(key);
    if (index === undefined) return key;
    const kept = this.keys.get(index);
    if (kept && sameSeries(kept, key)) return kept;
    this.keys.set(index, key);
    return key;
  }

  /** Every row held, oldest bucket first, and holds nothing more. */
  take(): SeriesBatch {
    const batch = emptyBatch();
    for (const resolution of RESOLUTIONS) {
      const buckets = [...this.buckets[resolution].values()].sort((a, b) => a.bucketMs - b.bucketMs);
      batch[resolution] = buckets.flatMap((bucket) => bucket.rows());
      this.buckets[resolution].clear();
    }
    this.keys.clear();
    return batch;
  }
}
