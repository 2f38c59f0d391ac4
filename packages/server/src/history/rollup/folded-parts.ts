import type { BucketSummary } from '../../store/types.js';
import { mergeSummaries, timeSummary } from './summary.js';

/**
 * Distinct p50 (and p95) values an open bucket keeps. Past this, the two nearest merge: an hour of
 * 60 minutes, or a day of 24 hours, then costs a few dozen numbers per series, not one object per
 * part (at 100,000 replicas, 60 parts each were gigabytes by the end of every hour).
 */
const MAX_POINTS = 8;

/**
 * A sorted list of (value, weight) points, flat ([value, weight, value, weight, …]) to stay small.
 * A value already there gains the weight, so steady latency never grows it. A new value makes a new
 * array of the exact size (`concat`): V8 gives an array it splices, pushes or spreads into 17 slots or
 * more, and every series keeps up to four of these lists.
 */
function addPoint(points: readonly number[], value: number, weight: number): number[] {
  let index = 0;
  while (index < points.length && (points[index] ?? 0) < value) index += 2;
  if (points[index] === value) {
    const same = points.slice();
    same[index + 1] = (points[index + 1] ?? 0) + weight;
    return same;
  }
  const added = points.slice(0, index).concat([value, weight], points.slice(index));
  return added.length > 2 * MAX_POINTS ? mergeNearest(added) : added;
}

/** Merges the two neighbours closest in value into one at their weighted mean (whole ms). */
function mergeNearest(points: readonly number[]): number[] {
  let best = 0;
  for (let index = 2; index + 2 < points.length; index += 2) {
    const gap = (points[index + 2] ?? 0) - (points[index] ?? 0);
    if (gap < (points[best + 2] ?? 0) - (points[best] ?? 0)) best = index;
  }
  const [value = 0, weight = 0, nextValue = 0, nextWeight = 0] = points.slice(best, best + 4);
  const merged = weight + nextWeight;
  const mean = Math.round((value * weight + nextValue * nextWeight) / merged);
  return points.slice(0, best).concat([mean, merged], points.slice(best + 4));
}

/** Seconds as whole milliseconds. */
function toMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** The value at which the points' cumulative weight reaches `quantile` of their total. */
function weightedRank(points: readonly number[], quantile: number): number {
  let total = 0;
  for (let index = 1; index < points.length; index += 2) total += points[index] ?? 0;
  let seen = 0;
  for (let index = 0; index < points.length; index += 2) {
    seen += points[index + 1] ?? 0;
    if (seen >= quantile * total) return points[index] ?? 0;
  }
  return points.at(-2) ?? 0;
}

/**
 * The closed parts of an open bucket (the minutes of an hour, the hours of a day), folded in as they
 * close, in constant memory. Times, samples and the max add up exactly; p50 and p95 are the
 * sample-weighted ranks of the parts' own, as `mergeSummaries` gives, exact while the parts have at
 * most MAX_POINTS distinct values of each, and close after (nearest values merged). The sums are
 * fields of their own rather than a summary object: every series holds two of these. Times are
 * kept to the millisecond, as the model's clock counts them.
 */
export class FoldedParts {
  private parts = 0;
  /**
   * Time per state in whole milliseconds: a part's seconds are milliseconds of the model's clock,
   * and small integers stay in the object, where fractional seconds would each be a number object
   * of their own (every series holds two of these).
   */
  private healthyMs = 0;
  private sickMs = 0;
  private deadMs = 0;
  /** A summary has maintenance time only when a part had some (`mergeSummaries` adds only those). */
  private maintenanceMs = 0;
  /** Samples, and the max, of the parts with a latency. */
  private samples = 0;
  private maxMs = 0;
  /** Made at the first part with a latency: most series' open buckets hold none for a while. */
  private p50: number[] | undefined;
  private p95: number[] | undefined;

  get isEmpty(): boolean {
    return this.parts === 0;
  }

  add(part: BucketSummary): void {
    this.parts += 1;
    this.healthyMs += toMs(part.healthySeconds);
    this.sickMs += toMs(part.sickSeconds);
    this.deadMs += toMs(part.deadSeconds);
    if (part.maintenanceSeconds) this.maintenanceMs += toMs(part.maintenanceSeconds);
    if (part.samples > 0 && part.p50Ms !== undefined) {
      this.samples += part.samples;
      this.maxMs = Math.max(this.maxMs, part.maxMs ?? 0);
      this.p50 = addPoint(this.p50 ?? [], part.p50Ms, part.samples);
      this.p95 = addPoint(this.p95 ?? [], part.p95Ms ?? 0, part.samples);
    }
  }

  /** The parts as one summary (`mergeSummaries` of them all); undefined when there are none. */
  summary(): BucketSummary | undefined {
    if (this.parts === 0) return undefined;
    const summary = timeSummary(this.healthyMs, this.sickMs, this.deadMs, this.maintenanceMs);
    if (!this.p50 || !this.p95) return summary;
    summary.samples = this.samples;
    summary.p50Ms = weightedRank(this.p50, 0.5);
    summary.p95Ms = weightedRank(this.p95, 0.95);
    summary.maxMs = this.maxMs;
    return summary;
  }

  /** The parts with `extra` ones (a stored prior, the open hour), as `mergeSummaries` would merge them all. */
  summaryWith(extra: ReadonlyArray<BucketSummary | undefined>): BucketSummary {
    const others = extra.filter((part): part is BucketSummary => part !== undefined);
    const sum = this.summary();
    if (!sum) return mergeSummaries(others);
    const merged = mergeSummaries([sum, ...others]);
    const latency = others.filter((part) => part.samples > 0 && part.p50Ms !== undefined);
    if (latency.length === 0 || !this.p50 || !this.p95) return merged;
    let p50 = this.p50;
    let p95 = this.p95;
    for (const part of latency) {
      p50 = addPoint(p50, part.p50Ms ?? 0, part.samples);
      p95 = addPoint(p95, part.p95Ms ?? 0, part.samples);
    }
    return { ...merged, p50Ms: weightedRank(p50, 0.5), p95Ms: weightedRank(p95, 0.95) };
  }
}
