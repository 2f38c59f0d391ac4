import type { BucketSummary, Resolution, SeriesKey } from '../../store/types.js';
import { BUCKET_MS, bucketStart } from './buckets.js';
import { FoldedParts } from './folded-parts.js';
import { isEmptySummary, mergeSummaries, type SeriesState, timeSummary, withLatencies } from './summary.js';

/** A row before its series has a database id. */
export interface SeriesRow extends BucketSummary {
  series: SeriesKey;
  bucketMs: number;
}

export type SeriesBatch = Record<Resolution, SeriesRow[]>;

/**
 * What a previous run stored for buckets that may still be open: merged into the bucket's row when
 * it is the same bucket, and never counted upward again (the stored hour already holds its minutes).
 */
export type Priors = Partial<Record<Resolution, BucketSummary & { bucketMs: number }>>;

/**
 * An open hour or day: this run's closed parts (minutes of the open hour, hours of the open day,
 * folded as they close) and what a previous run stored for it. One object per bucket, and a class,
 * so that every series' buckets share one hidden class.
 */
class OpenBucket extends FoldedParts {
  /** The bucket's start in whole buckets since 1970: a small integer, stored in the object itself. */
  private readonly start: number;

  constructor(
    private readonly resolution: Resolution,
    bucketMs: number,
    readonly prior?: BucketSummary,
  ) {
    super();
    this.start = bucketMs / BUCKET_MS[resolution];
  }

  get bucketMs(): number {
    return this.start * BUCKET_MS[this.resolution];
  }
}

/** Latencies a minute holds before its list grows by V8's own rule (to 17 slots or more at a time). */
const EXACT_LATENCIES_MAX = 8;

/**
 * `latencies` with `latencyMs` added. Short lists are copied at their exact size: a replica's series
 * holds a few samples a minute, and V8 would give each list room for 17.
 */
function withSample(latencies: number[] | undefined, latencyMs: number): number[] {
  if (latencies === undefined) return [latencyMs];
  if (latencies.length >= EXACT_LATENCIES_MAX) {
    latencies.push(latencyMs);
    return latencies;
  }
  return latencies.concat([latencyMs]);
}

function push(rows: SeriesRow[], row: SeriesRow | undefined): void {
  if (row) rows.push(row);
}

function summaryOf({ bucketMs: _bucketMs, ...summary }: BucketSummary & { bucketMs: number }): BucketSummary {
  return summary;
}

const emptyBatch = (): SeriesBatch => ({ minute: [], hour: [], day: [] });

/**
 * One series' open minute, hour and day. Time is attributed to the state the series was in; a
 * minute closes into its hour, an hour into its day. Without a state (`undefined`: not running,
 * or a replica that was flushed) time counts for nothing: a gap, never uptime.
 */
export class SeriesAccumulator {
  private cursorMs: number;
  /** The open minute, in whole minutes since 1970 (a small integer, in the object itself). */
  private minute: number;
  /**
   * The open minute's time in each state, in whole milliseconds (small integers, which V8 stores in
   * the object itself, where fractional seconds would each be a number object of their own).
   */
  private minuteHealthyMs = 0;
  private minuteSickMs = 0;
  private minuteDeadMs = 0;
  private minuteMaintenanceMs = 0;
  /** The open minute's latencies; none until its first one. */
  private minuteLatencies: number[] | undefined;
  private minutePrior: BucketSummary | undefined;
  private hour: OpenBucket;
  private day: OpenBucket;
  /** Whether the open hour and day changed since they were last written. */
  private openChanged = false;

  constructor(
    readonly key: SeriesKey,
    private health: SeriesState | undefined,
    nowMs: number,
    priors: Priors = {},
  ) {
    this.cursorMs = nowMs;
    const open = (resolution: Resolution) => {
      const bucketMs = bucketStart(resolution, nowMs);
      const prior = priors[resolution];
      return [bucketMs, prior?.bucketMs === bucketMs ? summaryOf(prior) : undefined] as const;
    };
    const [minuteMs, minutePrior] = open('minute');
    this.minute = minuteMs / BUCKET_MS.minute;
    this.minutePrior = minutePrior;
    this.hour = new OpenBucket('hour', ...open('hour'));
    this.day = new OpenBucket('day', ...open('day'));
  }

  setHealth(health: SeriesState | undefined, atMs: number, out: SeriesBatch): void {
    this.advance(atMs, out);
    this.health = health;
  }

  /**
   * Without a state and with nothing left to write: a flushed replica once its day is over. Its
   * accumulator can go, so replicas that come and go (autoscaled pods) do not pile up in memory.
   */
  get finished(): boolean {
    return (
      this.health === undefined &&
      !this.openChanged &&
      this.hour.isEmpty &&
      this.day.isEmpty &&
      this.minuteLatencies === undefined &&
      this.minuteHealthyMs + this.minuteSickMs + this.minuteDeadMs + this.minuteMaintenanceMs === 0
    );
  }

  observe(latencyMs: number | undefined, atMs: number, out: SeriesBatch): void {
    this.advance(atMs, out);
    if (latencyMs !== undefined) this.minuteLatencies = withSample(this.minuteLatencies, latencyMs);
  }

  /** Attributes time up to `toMs`, closing every minute (and hour, day) it crosses. */
  advance(toMs: number, out: SeriesBatch): void {
    while (toMs >= this.minuteBucketMs + BUCKET_MS.minute) {
      const minuteEnd = this.minuteBucketMs + BUCKET_MS.minute;
      this.attribute(minuteEnd);
      this.closeMinute(minuteEnd, out);
    }
    this.attribute(toMs);
  }

  /** The open hour and day as they stand, when they changed: queries see them before they close. */
  emitOpen(out: SeriesBatch): void {
    if (!this.openChanged) return;
    this.openChanged = false;
    push(out.hour, this.row(this.hour.bucketMs, this.hour.summaryWith([this.hour.prior])));
    push(out.day, this.row(this.day.bucketMs, this.day.summaryWith([this.day.prior, this.hour.summary()])));
  }

  /** At shutdown: the minute so far becomes a (short) minute row; a restart in it merges with it. */
  closePartialMinute(out: SeriesBatch): void {
    const time = timeSummary(
      this.minuteHealthyMs,
      this.minuteSickMs,
      this.minuteDeadMs,
      this.minuteMaintenanceMs,
    );
    const part = withLatencies(time, this.minuteLatencies ?? []);
    push(
      out.minute,
      this.row(this.minuteBucketMs, mergeSummaries(this.minutePrior ? [this.minutePrior, part] : [part])),
    );
    if (!isEmptySummary(part)) {
      this.hour.add(part);
      this.openChanged = true;
    }
    this.minutePrior = undefined;
    this.minuteHealthyMs = 0;
    this.minuteSickMs = 0;
    this.minuteDeadMs = 0;
    this.minuteMaintenanceMs = 0;
    this.minuteLatencies = undefined;
  }

  private get minuteBucketMs(): number {
    return this.minute * BUCKET_MS.minute;
  }

  private attribute(toMs: number): void {
    if (toMs <= this.cursorMs) return;
    const ms = toMs - this.cursorMs;
    if (this.health === 'healthy') this.minuteHealthyMs += ms;
    else if (this.health === 'sick') this.minuteSickMs += ms;
    else if (this.health === 'dead') this.minuteDeadMs += ms;
    else if (this.health === 'maintenance') this.minuteMaintenanceMs += ms;
    this.cursorMs = toMs;
  }

  private closeMinute(nextMs: number, out: SeriesBatch): void {
    this.closePartialMinute(out);
    this.minute = nextMs / BUCKET_MS.minute;
    if (bucketStart('hour', nextMs) === this.hour.bucketMs) return;
    push(out.hour, this.row(this.hour.bucketMs, this.hour.summaryWith([this.hour.prior])));
    const hour = this.hour.summary();
    if (hour) this.day.add(hour);
    this.hour = new OpenBucket('hour', bucketStart('hour', nextMs));
    if (bucketStart('day', nextMs) === this.day.bucketMs) return;
    push(out.day, this.row(this.day.bucketMs, this.day.summaryWith([this.day.prior])));
    this.day = new OpenBucket('day', bucketStart('day', nextMs));
  }

  /** The bucket's row, or undefined when it holds nothing (a row of zeros would only take space). */
  private row(bucketMs: number, summary: BucketSummary): SeriesRow | undefined {
    return isEmptySummary(summary) ? undefined : { series: this.key, bucketMs, ...summary };
  }
}

/**
 * Every series' accumulator, and the rows they closed since the last drain. Pure: no I/O, no timers;
 * the caller says what time it is.
 */
export class RollupAggregator {
  private readonly all = new Set<SeriesAccumulator>();
  private pending: SeriesBatch = emptyBatch();

  /** `priors` finds what a previous run stored for the buckets open at start. */
  constructor(private readonly priors: (key: SeriesKey) => Priors = () => ({})) {}

  /** A new accumulator, counting from `atMs` in `health`. */
  track(key: SeriesKey, health: SeriesState | undefined, atMs: number): SeriesAccumulator {
    const accumulator = new SeriesAccumulator(key, health, atMs, this.priors(key));
    this.all.add(accumulator);
    return accumulator;
  }

  /** Stops draining an accumulator (one that is `finished`). */
  untrack(accumulator: SeriesAccumulator): void {
    this.all.delete(accumulator);
  }

  /** Where accumulators put closed rows. */
  get out(): SeriesBatch {
    return this.pending;
  }

  /** Closed rows plus the open hours and days, as of `nowMs`. */
  drain(nowMs: number): SeriesBatch {
    const steps = this.drainInSlices(nowMs, Number.POSITIVE_INFINITY);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  }

  /**
   * `drain`, pausing (yielding) after every `slice` series, so that the caller can let the event
   * loop run: 100,000 replicas' series are ~100 ms of work.
   */
  *drainInSlices(nowMs: number, slice: number): Generator<void, SeriesBatch> {
    let done = 0;
    for (const accumulator of this.all) {
      accumulator.advance(nowMs, this.pending);
      accumulator.emitOpen(this.pending);
      done += 1;
      if (done % slice === 0) yield;
    }
    return this.take();
  }

  /** The final rows at shutdown: every open minute is written as it stands. */
  close(nowMs: number): SeriesBatch {
    for (const accumulator of this.all) {
      accumulator.advance(nowMs, this.pending);
      accumulator.closePartialMinute(this.pending);
      accumulator.emitOpen(this.pending);
    }
    return this.take();
  }

  private take(): SeriesBatch {
    const batch = this.pending;
    this.pending = emptyBatch();
    return batch;
  }
}
