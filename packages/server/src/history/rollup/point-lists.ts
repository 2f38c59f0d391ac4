import { grown, nextCapacity } from './typed-columns.js';

/**
 * Distinct values a list keeps. Past this, the two nearest merge: an hour of 60 minutes, or a day
 * of 24 hours, then costs a few dozen numbers per series, not one object per part.
 */
export const MAX_POINTS = 8;

/** Points a list has room for in each size class: a list moves up a class when it outgrows its own. */
const CLASS_POINTS = [2, 4, MAX_POINTS] as const;
const CLASS_BITS = 2;
const NONE = -1;
/** The largest number a slot holds: weights past it are halved (their ratios are what count). */
const MAX_SLOT = 0xffff_ffff;

/**
 * `points` (flat: value, weight, value, weight, …, sorted by value) with `weight` more at `value`.
 * A value already there gains the weight, so steady latency never grows a list; past MAX_POINTS
 * distinct values the two nearest merge.
 */
export function addPoint(points: readonly number[], value: number, weight: number): number[] {
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

/**
 * The value at which the cumulative weight of `count` points from `from` (value, weight pairs)
 * reaches `quantile` of their total.
 */
export function weightedRank(
  points: ArrayLike<number>,
  from: number,
  count: number,
  quantile: number,
): number {
  let total = 0;
  for (let index = 0; index < count; index++) total += points[from + 2 * index + 1] ?? 0;
  let seen = 0;
  for (let index = 0; index < count; index++) {
    seen += points[from + 2 * index + 1] ?? 0;
    if (seen >= quantile * total) return points[from + 2 * index] ?? 0;
  }
  return count > 0 ? (points[from + 2 * (count - 1)] ?? 0) : 0;
}

/** Slabs of one size: [count, value, weight, value, weight, …] each, in one array. */
class SizeClass {
  readonly width: number;
  data: Uint32Array;
  private slabs = 0;
  /** The first free slab, whose count slot holds the next free one (+1; 0 ends the list). */
  private firstFree = NONE;

  constructor(readonly points: number) {
    this.width = 1 + 2 * points;
    this.data = new Uint32Array(0);
  }

  take(): number {
    if (this.firstFree !== NONE) {
      const slab = this.firstFree;
      this.firstFree = (this.data[slab * this.width] ?? 0) - 1;
      this.data[slab * this.width] = 0;
      return slab;
    }
    const slab = this.slabs;
    this.slabs += 1;
    if (this.slabs * this.width > this.data.length)
      this.data = grown(this.data, nextCapacity(this.data.length / this.width, this.slabs) * this.width);
    return slab;
  }

  release(slab: number): void {
    this.data[slab * this.width] = this.firstFree + 1;
    this.firstFree = slab;
  }
}

/**
 * Every open bucket's lists of (value, weight) points, pooled in a few typed arrays: a list is a
 * number (its handle; -1 for an empty list), not an array object of its own. Values are whole
 * milliseconds, as the store keeps them; weights are sample counts.
 */
export class PointLists {
  private readonly classes = CLASS_POINTS.map((points) => new SizeClass(points));

  /** The list `handle` with `weight` more at `value`; returns the list's handle, which may move. */
  add(handle: number, value: number, weight: number): number {
    const points = addPoint(this.toArray(handle), Math.min(MAX_SLOT, Math.round(value)), weight);
    fitWeights(points);
    const count = points.length / 2;
    let target = handle;
    if (handle === NONE || this.sizeClass(handle).points < count) {
      this.release(handle);
      const classIndex = CLASS_POINTS.findIndex((room) => room >= count);
      target = (this.sizeClassAt(classIndex).take() << CLASS_BITS) | classIndex;
    }
    const { data, width } = this.sizeClass(target);
    const base = (target >> CLASS_BITS) * width;
    data[base] = count;
    data.set(points, base + 1);
    return target;
  }

  /** The value at `quantile` of the list's weight (0 for an empty list). */
  rank(handle: number, quantile: number): number {
    if (handle === NONE) return 0;
    const { data, width } = this.sizeClass(handle);
    const base = (handle >> CLASS_BITS) * width;
    return weightedRank(data, base + 1, data[base] ?? 0, quantile);
  }

  /** The list as a flat array of value, weight pairs. */
  toArray(handle: number): number[] {
    if (handle === NONE) return [];
    const { data, width } = this.sizeClass(handle);
    const base = (handle >> CLASS_BITS) * width;
    return Array.from(data.subarray(base + 1, base + 1 + 2 * (data[base] ?? 0)));
  }

  /** Gives the list's room back; an empty list (-1) has none. */
  release(handle: number): void {
    if (handle !== NONE) this.sizeClass(handle).release(handle >> CLASS_BITS);
  }

  private sizeClass(handle: number): SizeClass {
    return this.sizeClassAt(handle & ((1 << CLASS_BITS) - 1));
  }

  private sizeClassAt(classIndex: number): SizeClass {
    const sizeClass = this.classes[classIndex];
    if (!sizeClass) throw new Error(`no list class ${classIndex}`);
    return sizeClass;
  }
}

/**
 * Halves every weight (rounding up) while one is past what a slot holds: over four billion samples
 * in one bucket of one series, far beyond what one process probes. The ranks depend on the weights'
 * ratios only, which halving keeps but for rounding.
 */
function fitWeights(points: number[]): void {
  const heaviest = () =>
    points.reduce((max, value, index) => (index % 2 === 1 ? Math.max(max, value) : max), 0);
  while (heaviest() > MAX_SLOT)
    for (let index = 1; index < points.length; index += 2)
      points[index] = Math.ceil((points[index] ?? 0) / 2);
}
