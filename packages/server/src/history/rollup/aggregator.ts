import {
  type BucketSummary,
  RESOLUTIONS,
  type Resolution,
  SERIES_KINDS,
  type SeriesKey,
} from '../../store/types.js';
import { grown, nextCapacity } from '../../typed-columns.js';
import { BUCKET_MS, bucketStart } from './buckets.js';
import { OpenBuckets } from './open-buckets.js';
import { PointLists } from './point-lists.js';
import { SampleLists } from './sample-lists.js';
import {
  isEmptySummary,
  mergeSummaries,
  type SeriesState,
  timeSummary,
  withSortedLatencies,
} from './summary.js';

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

/** What a previous run stored for a series' open buckets: rare, so kept apart from the table. */
type OpenPriors = Partial<Record<Resolution, BucketSummary>>;

const NONE = -1;
/** A series' state as a number: none (not running, or flushed), then each state. */
const STATES: ReadonlyArray<SeriesState | undefined> = [undefined, 'healthy', 'sick', 'dead', 'maintenance'];
/** Flags per series. */
const TRACKED = 1;
/** The open hour and day changed since they were last written. */
const OPEN_CHANGED = 2;
/** Time columns of the open minute: healthy, sick, dead, maintenance (the states after none). */
const MINUTE_COLUMNS = 4;
/** Ids per series: service, node, replica (empty where the kind has none). */
const ID_COLUMNS = 3;

function summaryOf({ bucketMs: _bucketMs, ...summary }: BucketSummary & { bucketMs: number }): BucketSummary {
  return summary;
}

/** A batch with no rows. */
export const emptyBatch = (): SeriesBatch => ({ minute: [], hour: [], day: [] });

/**
 * Every series' open minute, hour and day, in one table of typed columns indexed by a dense series
 * number (`track` gives it), and the rows they closed since the last drain. Time is attributed to
 * the state a series was in; a minute closes into its hour, an hour into its day. Without a state
 * (`undefined`: not running, or a replica that was flushed) time counts for nothing: a gap, never
 * uptime. Pure: no I/O, no timers; the caller says what time it is.
 *
 * A series costs a few dozen bytes of numbers here, where an object per series, per open bucket
 * and per list was ~750 bytes; its key is made when a row needs it, from the ids it shares with
 * the model.
 */
export class RollupAggregator {
  private capacity = 0;
  private size = 0;
  private readonly freeRows: number[] = [];
  private flags = new Uint8Array(0);
  private kinds = new Uint8Array(0);
  private ids: string[] = [];
  /** The store's id of each series, once known (0: not yet; the store's ids start at 1). */
  private storeIds = new Uint32Array(0);
  private states = new Uint8Array(0);
  /** Up to where each series' time is attributed, ms since 1970. */
  private cursorsMs = new Float64Array(0);
  /** The open minute, in whole minutes since 1970. */
  private minutes = new Int32Array(0);
  /** The open minute's time in each state, whole ms (at most 60,000). */
  private minuteMs = new Uint16Array(0);
  /** The open minute's latencies: each list's head and length in `samples`. */
  private sampleHeads = new Int32Array(0);
  private sampleCounts = new Int32Array(0);
  private readonly samples = new SampleLists();
  private readonly points = new PointLists();
  private readonly hours = new OpenBuckets(this.points);
  private readonly days = new OpenBuckets(this.points);
  private readonly priors = new Map<number, OpenPriors>();
  private pending: SeriesBatch = emptyBatch();

  /** `priors` finds what a previous run stored for the buckets open at start. */
  constructor(private readonly findPriors: (key: SeriesKey) => Priors = () => ({})) {}

  /** Room for `series` more series without growing (the fleet a config loads, in one step). */
  reserve(series: number): void {
    this.grow(this.size + series);
  }

  /** A new series, counting from `atMs` in `health`; returns its number. */
  track(key: SeriesKey, health: SeriesState | undefined, atMs: number): number {
    const row = this.freeRows.pop() ?? this.newRow();
    this.flags[row] = TRACKED;
    this.kinds[row] = SERIES_KINDS.indexOf(key.kind);
    this.ids[row * ID_COLUMNS] = key.serviceId;
    this.ids[row * ID_COLUMNS + 1] = key.nodeId;
    this.ids[row * ID_COLUMNS + 2] = key.replicaId;
    this.storeIds[row] = 0;
    this.states[row] = STATES.indexOf(health);
    this.cursorsMs[row] = atMs;
    this.minutes[row] = bucketStart('minute', atMs) / BUCKET_MS.minute;
    this.minuteMs.fill(0, row * MINUTE_COLUMNS, (row + 1) * MINUTE_COLUMNS);
    this.sampleHeads[row] = NONE;
    this.sampleCounts[row] = 0;
    this.hours.open(row, bucketStart('hour', atMs) / BUCKET_MS.hour);
    this.days.open(row, bucketStart('day', atMs) / BUCKET_MS.day);
    this.priors.delete(row);
    const stored = this.findPriors(key);
    const open: OpenPriors = {};
    for (const resolution of RESOLUTIONS) {
      const prior = stored[resolution];
      if (prior?.bucketMs === bucketStart(resolution, atMs)) open[resolution] = summaryOf(prior);
    }
    if (Object.keys(open).length > 0) this.priors.set(row, open);
    return row;
  }

  /** Stops counting and draining a series (one that is `finished`); its number may be given again. */
  untrack(series: number): void {
    if (!this.isTracked(series)) return;
    this.flags[series] = 0;
    this.samples.release(this.sampleHeads[series] ?? NONE);
    this.sampleHeads[series] = NONE;
    this.sampleCounts[series] = 0;
    this.hours.clear(series);
    this.days.clear(series);
    this.priors.delete(series);
    for (let column = 0; column < ID_COLUMNS; column++) this.ids[series * ID_COLUMNS + column] = '';
    this.freeRows.push(series);
  }

  /** The series' key, made anew. */
  keyOf(series: number): SeriesKey {
    const at = series * ID_COLUMNS;
    return {
      kind: SERIES_KINDS[this.kinds[series] ?? 0] ?? 'page',
      serviceId: this.ids[at] ?? '',
      nodeId: this.ids[at + 1] ?? '',
      replicaId: this.ids[at + 2] ?? '',
    };
  }

  /** The id of the series' node ('' for the page's and a service's). */
  nodeIdOf(series: number): string {
    return this.ids[series * ID_COLUMNS + 1] ?? '';
  }

  /** The store's id of the series, once `setStoreId` gave it. */
  storeId(series: number): number | undefined {
    const id = this.storeIds[series] ?? 0;
    return id === 0 ? undefined : id;
  }

  setStoreId(series: number, id: number): void {
    if (this.isTracked(series)) this.storeIds[series] = id;
  }

  setHealth(series: number, health: SeriesState | undefined, atMs: number): void {
    this.advance(series, atMs);
    this.states[series] = STATES.indexOf(health);
  }

  observe(series: number, latencyMs: number | undefined, atMs: number): void {
    this.advance(series, atMs);
    if (latencyMs === undefined) return;
    const length = this.sampleCounts[series] ?? 0;
    this.sampleHeads[series] = this.samples.push(this.sampleHeads[series] ?? NONE, length, latencyMs);
    this.sampleCounts[series] = length + 1;
  }

  /**
   * Without a state and with nothing left to write: a flushed replica once its day is over. It can
   * go, so replicas that come and go (autoscaled pods) do not pile up in memory.
   */
  isFinished(series: number): boolean {
    const at = series * MINUTE_COLUMNS;
    return (
      this.states[series] === 0 &&
      ((this.flags[series] ?? 0) & OPEN_CHANGED) === 0 &&
      this.hours.isEmpty(series) &&
      this.days.isEmpty(series) &&
      this.sampleCounts[series] === 0 &&
      this.minuteMs.subarray(at, at + MINUTE_COLUMNS).every((ms) => ms === 0)
    );
  }

  /** Where closed rows wait for the next drain. */
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
    for (let series = 0; series < this.size; series++) {
      if (!this.isTracked(series)) continue;
      this.advance(series, nowMs);
      this.emitOpen(series);
      done += 1;
      if (done % slice === 0) yield;
    }
    this.compactPoints();
    return this.take();
  }

  /** The final rows at shutdown: every open minute is written as it stands. */
  close(nowMs: number): SeriesBatch {
    for (let series = 0; series < this.size; series++) {
      if (!this.isTracked(series)) continue;
      this.advance(series, nowMs);
      this.closePartialMinute(series);
      this.emitOpen(series);
    }
    return this.take();
  }

  /** Attributes time up to `toMs`, closing every minute (and hour, day) it crosses. */
  private advance(series: number, toMs: number): void {
    for (;;) {
      const minuteEndMs = ((this.minutes[series] ?? 0) + 1) * BUCKET_MS.minute;
      if (toMs < minuteEndMs) break;
      this.attribute(series, minuteEndMs);
      this.closeMinute(series, minuteEndMs);
    }
    this.attribute(series, toMs);
  }

  private attribute(series: number, toMs: number): void {
    const fromMs = this.cursorsMs[series] ?? toMs;
    if (toMs <= fromMs) return;
    const state = this.states[series] ?? 0;
    if (state > 0) {
      const at = series * MINUTE_COLUMNS + state - 1;
      // Whole ms, as the clock gives them; a fraction would only be lost within one minute.
      this.minuteMs[at] = (this.minuteMs[at] ?? 0) + Math.round(toMs - fromMs);
    }
    this.cursorsMs[series] = toMs;
  }

  /** The open hour and day as they stand, when they changed: queries see them before they close. */
  private emitOpen(series: number): void {
    const flags = this.flags[series] ?? 0;
    if ((flags & OPEN_CHANGED) === 0) return;
    this.flags[series] = flags & ~OPEN_CHANGED;
    const prior = this.priors.get(series);
    this.push('hour', series, this.hours.summaryWith(series, [prior?.hour]));
    this.push('day', series, this.days.summaryWith(series, [prior?.day, this.hours.summary(series)]));
  }

  /** The minute so far becomes a (short at shutdown) minute row, and a part of its hour. */
  private closePartialMinute(series: number): void {
    const at = series * MINUTE_COLUMNS;
    const [healthyMs = 0, sickMs = 0, deadMs = 0, maintenanceMs = 0] = this.minuteMs.subarray(
      at,
      at + MINUTE_COLUMNS,
    );
    const length = this.sampleCounts[series] ?? 0;
    const head = this.sampleHeads[series] ?? NONE;
    const part = withSortedLatencies(
      timeSummary(healthyMs, sickMs, deadMs, maintenanceMs),
      length > 0 ? this.samples.sorted(head, length) : [],
    );
    const prior = this.priors.get(series);
    this.push('minute', series, mergeSummaries(prior?.minute ? [prior.minute, part] : [part]));
    if (!isEmptySummary(part)) {
      this.hours.add(series, part);
      this.flags[series] = (this.flags[series] ?? 0) | OPEN_CHANGED;
    }
    this.dropPrior(series, 'minute');
    this.minuteMs.fill(0, at, at + MINUTE_COLUMNS);
    this.samples.release(head);
    this.sampleHeads[series] = NONE;
    this.sampleCounts[series] = 0;
  }

  private closeMinute(series: number, nextMs: number): void {
    this.closePartialMinute(series);
    this.minutes[series] = nextMs / BUCKET_MS.minute;
    const hour = bucketStart('hour', nextMs) / BUCKET_MS.hour;
    if (hour === this.hours.start(series)) return;
    const prior = this.priors.get(series);
    this.push('hour', series, this.hours.summaryWith(series, [prior?.hour]));
    const closedHour = this.hours.summary(series);
    if (closedHour) this.days.add(series, closedHour);
    this.hours.open(series, hour);
    this.dropPrior(series, 'hour');
    const day = bucketStart('day', nextMs) / BUCKET_MS.day;
    if (day === this.days.start(series)) return;
    this.push('day', series, this.days.summaryWith(series, [prior?.day]));
    this.days.open(series, day);
    this.dropPrior(series, 'day');
  }

  /** The bucket's row, unless it holds nothing (a row of zeros would only take space). */
  private push(resolution: Resolution, series: number, summary: BucketSummary): void {
    if (isEmptySummary(summary)) return;
    const start =
      resolution === 'minute'
        ? this.minutes[series]
        : (resolution === 'hour' ? this.hours : this.days).start(series);
    const bucketMs = (start ?? 0) * BUCKET_MS[resolution];
    this.pending[resolution].push({ series: this.keyOf(series), bucketMs, ...summary });
  }

  /** Reclaims the room of point lists that grew or closed, once it outweighs the live ones. */
  private compactPoints(): void {
    if (!this.points.wasteful) return;
    this.points.compact((move) => {
      this.hours.moveLists(move);
      this.days.moveLists(move);
    });
  }

  private dropPrior(series: number, resolution: Resolution): void {
    const prior = this.priors.get(series);
    if (!prior?.[resolution]) return;
    delete prior[resolution];
    if (Object.keys(prior).length === 0) this.priors.delete(series);
  }

  private isTracked(series: number): boolean {
    return ((this.flags[series] ?? 0) & TRACKED) !== 0;
  }

  private newRow(): number {
    const row = this.size;
    this.size += 1;
    if (this.size > this.capacity) this.grow(nextCapacity(this.capacity, this.size));
    return row;
  }

  private grow(capacity: number): void {
    if (capacity > this.capacity) {
      this.capacity = capacity;
      this.flags = grown(this.flags, this.capacity);
      this.kinds = grown(this.kinds, this.capacity);
      this.storeIds = grown(this.storeIds, this.capacity);
      this.states = grown(this.states, this.capacity);
      this.cursorsMs = grown(this.cursorsMs, this.capacity);
      this.minutes = grown(this.minutes, this.capacity);
      this.minuteMs = grown(this.minuteMs, this.capacity * MINUTE_COLUMNS);
      this.sampleHeads = grown(this.sampleHeads, this.capacity);
      this.sampleCounts = grown(this.sampleCounts, this.capacity);
      this.hours.reserve(this.capacity);
      this.days.reserve(this.capacity);
    }
  }

  private take(): SeriesBatch {
    const batch = this.pending;
    this.pending = emptyBatch();
    return batch;
  }
}
