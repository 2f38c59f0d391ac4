import type { BucketSummary } from '../../store/types.js';
import { mergeSummaries } from './summary.js';

/**
 * Distinct p50 (and p95) values an open bucket keeps. Past this, the two nearest merge: an hour of
 * 60 minutes, or a day of 24 hours, then costs a few dozen numbers per series, not one object per
 * part (at 100,000 replicas, 60 parts each were gigabytes by the end of every hour).
 */
const MAX_POINTS = 8;

/**
 * A sorted list of (value, weight) points, flat ([value, weight, value, weight, …]) to stay small.
 * A value already there gains the weight, so steady latency never grows it.
 */
function addPoint(points: number[], value: number, weight: number): void {
  let index = 0;
  while (index < points.length && (points[index] ?? 0) < value) index += 2;
  if (points[index] === value) {
    points[index + 1] = (points[index + 1] ?? 0) + weight;
    return;
  }
  points.splice(index, 0, value, weight);
  if (points.length > 2 * MAX_POINTS) mergeNearest(points);
}

/** Merges the two neighbours closest in value into one at their weighted mean (whole ms). */
function mergeNearest(points: number[]): void {
  let best = 0;
  for (let index = 2; index + 2 < points.length; index += 2) {
    const gap = (points[index + 2] ?? 0) - (points[index] ?? 0);
    if (gap < (points[best + 2] ?? 0) - (points[best] ?? 0)) best = index;
  }
  const [value = 0, weight = 0, nextValue = 0, nextWeight = 0] = points.slice(best, best + 4);
  const merged = weight + nextWeight;
  points.splice(best, 4, Math.round((value * weight + nextValue * nextWeight) / merged), merged);
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
 * most MAX_POINTS distinct values of each, and close after (nearest values merged).
 */
export class FoldedParts {
  private sum: BucketSummary | undefined;
  /** Made at the first part with a latency: most series' open buckets hold none for a while. */
  private p50: number[] | undefined;
  private p95: number[] | undefined;

  get isEmpty(): boolean {
    return this.sum === undefined;
  }

  add(part: BucketSummary): void {
    const sum = mergeSummaries(this.sum ? [this.sum, part] : [part]);
    this.sum = sum;
    if (part.samples > 0 && part.p50Ms !== undefined) {
      this.p50 ??= [];
      this.p95 ??= [];
      addPoint(this.p50, part.p50Ms, part.samples);
      addPoint(this.p95, part.p95Ms ?? 0, part.samples);
    }
    if (this.p50 && this.p95) {
      sum.p50Ms = weightedRank(this.p50, 0.5);
      sum.p95Ms = weightedRank(this.p95, 0.95);
    }
  }

  /** The parts as one summary (`mergeSummaries` of them all); undefined when there are none. */
  summary(): BucketSummary | undefined {
    return this.sum && { ...this.sum };
  }

  /** The parts with `extra` ones (a stored prior, the open hour), as `mergeSummaries` would merge them all. */
  summaryWith(extra: ReadonlyArray<BucketSummary | undefined>): BucketSummary {
    const others = extra.filter((part): part is BucketSummary => part !== undefined);
    if (!this.sum) return mergeSummaries(others);
    const merged = mergeSummaries([this.sum, ...others]);
    const latency = others.filter((part) => part.samples > 0 && part.p50Ms !== undefined);
    if (latency.length === 0 || !this.p50 || !this.p95) return merged;
    const p50 = [...this.p50];
    const p95 = [...this.p95];
    for (const part of latency) {
      addPoint(p50, part.p50Ms ?? 0, part.samples);
      addPoint(p95, part.p95Ms ?? 0, part.samples);
    }
    return { ...merged, p50Ms: weightedRank(p50, 0.5), p95Ms: weightedRank(p95, 0.95) };
  }
}
