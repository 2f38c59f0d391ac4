import type { BucketSummary } from '../../store/types.js';
import { grown } from '../../typed-columns.js';
import { addPoint, PointLists, weightedRank } from './point-lists.js';
import { mergeSummaries, timeSummary } from './summary.js';

const NONE = -1;
/** States whose time a bucket keeps, in the order of its four time columns. */
const TIME_COLUMNS = 4;

/** Seconds as whole milliseconds. */
function toMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** The weighted rank of a flat list of points. */
function rankOf(points: readonly number[], quantile: number): number {
  return weightedRank(points, 0, points.length / 2, quantile);
}

/**
 * Open buckets of one resolution (the hour, or the day, of every series), one row per series, in
 * typed columns: the closed parts of each (minutes of an hour, hours of a day), folded in as they
 * close, in constant memory. Times, samples and the max add up exactly; p50 and p95 are the
 * sample-weighted ranks of the parts' own, as `mergeSummaries` gives, exact while the parts have at
 * most MAX_POINTS distinct values of each (in whole ms), and close after (nearest values merged).
 * Times are kept to the millisecond, as the model's clock counts them.
 */
export class OpenBuckets {
  private capacity = 0;
  /** Each bucket's start in whole buckets since 1970. */
  private starts = new Int32Array(0);
  private parts = new Uint32Array(0);
  /** Healthy, sick, dead and maintenance time in whole ms, four per bucket. */
  private timesMs = new Uint32Array(0);
  /** Samples and the max of the parts with a latency. */
  private samples = new Float64Array(0);
  /** Whole ms, as every part's is (a minute's samples are, and the store's). */
  private maxMs = new Uint32Array(0);
  /** Handles of each bucket's p50 and p95 points (-1: none yet). */
  private p50 = new Int32Array(0);
  private p95 = new Int32Array(0);

  constructor(private readonly points = new PointLists()) {}

  /** Room for buckets `0 … rows - 1` (the caller decides how far ahead it grows). */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    this.capacity = rows;
    this.starts = grown(this.starts, this.capacity);
    this.parts = grown(this.parts, this.capacity);
    this.timesMs = grown(this.timesMs, this.capacity * TIME_COLUMNS);
    this.samples = grown(this.samples, this.capacity);
    this.maxMs = grown(this.maxMs, this.capacity);
    this.p50 = grown(this.p50, this.capacity).fill(NONE, this.p50.length);
    this.p95 = grown(this.p95, this.capacity).fill(NONE, this.p95.length);
  }

  /** Bucket `row` starts afresh as bucket number `start` (in whole buckets since 1970). */
  open(row: number, start: number): void {
    this.clear(row);
    this.starts[row] = start;
  }

  /** Empties bucket `row` and gives its lists' room back. */
  clear(row: number): void {
    this.parts[row] = 0;
    this.timesMs.fill(0, row * TIME_COLUMNS, (row + 1) * TIME_COLUMNS);
    this.samples[row] = 0;
    this.maxMs[row] = 0;
    this.points.release(this.p50[row] ?? NONE);
    this.points.release(this.p95[row] ?? NONE);
    this.p50[row] = NONE;
    this.p95[row] = NONE;
  }

  /** Rewrites every list handle through `move` (the point lists' compaction). */
  moveLists(move: (handle: number) => number): void {
    for (const column of [this.p50, this.p95]) {
      for (let row = 0; row < column.length; row++) {
        const handle = column[row] ?? NONE;
        if (handle !== NONE) column[row] = move(handle);
      }
    }
  }

  start(row: number): number {
    return this.starts[row] ?? 0;
  }

  isEmpty(row: number): boolean {
    return this.parts[row] === 0;
  }

  add(row: number, part: BucketSummary): void {
    this.parts[row] = (this.parts[row] ?? 0) + 1;
    const at = row * TIME_COLUMNS;
    const times = [part.healthySeconds, part.sickSeconds, part.deadSeconds, part.maintenanceSeconds ?? 0];
    times.forEach((seconds, column) => {
      if (seconds) this.timesMs[at + column] = (this.timesMs[at + column] ?? 0) + toMs(seconds);
    });
    if (part.samples > 0 && part.p50Ms !== undefined) {
      this.samples[row] = (this.samples[row] ?? 0) + part.samples;
      this.maxMs[row] = Math.max(this.maxMs[row] ?? 0, Math.round(part.maxMs ?? 0));
      this.p50[row] = this.points.add(this.p50[row] ?? NONE, part.p50Ms, part.samples);
      this.p95[row] = this.points.add(this.p95[row] ?? NONE, part.p95Ms ?? 0, part.samples);
    }
  }

  /** The parts as one summary (`mergeSummaries` of them all); undefined when there are none. */
  summary(row: number): BucketSummary | undefined {
    if (this.parts[row] === 0) return undefined;
    const at = row * TIME_COLUMNS;
    const [healthyMs = 0, sickMs = 0, deadMs = 0, maintenanceMs = 0] = this.timesMs.subarray(
      at,
      at + TIME_COLUMNS,
    );
    const summary = timeSummary(healthyMs, sickMs, deadMs, maintenanceMs);
    const p50 = this.p50[row] ?? NONE;
    if (p50 === NONE) return summary;
    summary.samples = this.samples[row] ?? 0;
    summary.p50Ms = this.points.rank(p50, 0.5);
    summary.p95Ms = this.points.rank(this.p95[row] ?? NONE, 0.95);
    summary.maxMs = this.maxMs[row] ?? 0;
    return summary;
  }

  /** The parts with `extra` ones (a stored prior, the open hour), as `mergeSummaries` would merge them all. */
  summaryWith(row: number, extra: ReadonlyArray<BucketSummary | undefined>): BucketSummary {
    const others = extra.filter((part): part is BucketSummary => part !== undefined);
    const sum = this.summary(row);
    if (!sum) return mergeSummaries(others);
    const merged = mergeSummaries([sum, ...others]);
    const latency = others.filter((part) => part.samples > 0 && part.p50Ms !== undefined);
    if (latency.length === 0 || this.p50[row] === NONE) return merged;
    let p50 = this.points.toArray(this.p50[row] ?? NONE);
    let p95 = this.points.toArray(this.p95[row] ?? NONE);
    for (const part of latency) {
      p50 = addPoint(p50, Math.round(part.p50Ms ?? 0), part.samples);
      p95 = addPoint(p95, Math.round(part.p95Ms ?? 0), part.samples);
    }
    return { ...merged, p50Ms: rankOf(p50, 0.5), p95Ms: rankOf(p95, 0.95) };
  }
}
