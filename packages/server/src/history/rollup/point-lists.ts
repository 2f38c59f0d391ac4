import { grown, nextCapacity } from '../../typed-columns.js';

/**
 * Distinct values a list keeps. Past this, the two nearest merge: an hour of 60 minutes, or a day
 * of 24 hours, then costs a few dozen numbers per series, not one object per part.
 */
export const MAX_POINTS = 8;

/** Slots before a list's points: its room (in points) and its count. */
const HEADER = 2;
const NONE = -1;
/** The largest number a slot holds: weights past it are halved (their ratios are what count). */
const MAX_SLOT = 0xffff_ffff;
/** Slots let go before a compaction is worth its copy. */
const COMPACT_AFTER_SLOTS = 4096;

/** Room for `count` points: 2, 4, then MAX_POINTS, so that a list grows a few times at most. */
function roomFor(count: number): number {
  let room = 2;
  while (room < count) room *= 2;
  return Math.min(room, MAX_POINTS);
}

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

/**
 * Every open bucket's lists of (value, weight) points, in one typed array: a list is a number (its
 * offset, the handle; -1 for an empty list), not an array object of its own. A list that outgrows
 * its room moves to the end; the room it left, and that of lists let go, is reclaimed by `compact`.
 * Values are whole milliseconds, as the store keeps them; weights are sample counts.
 */
export class PointLists {
  private data = new Uint32Array(0);
  /** Slots handed out, live or let go. */
  private end = 0;
  /** Slots of lists let go (or moved) since the last compaction. */
  private released = 0;

  /** The list `handle` with `weight` more at `value`; returns the list's handle, which may move. */
  add(handle: number, value: number, weight: number): number {
    const points = addPoint(this.toArray(handle), Math.min(MAX_SLOT, Math.round(value)), weight);
    fitWeights(points);
    const count = points.length / 2;
    let target = handle;
    if (handle === NONE || (this.data[handle] ?? 0) < count) {
      this.release(handle);
      target = this.allocate(roomFor(count));
    }
    this.data[target + 1] = count;
    this.data.set(points, target + HEADER);
    return target;
  }

  /** The value at `quantile` of the list's weight (0 for an empty list). */
  rank(handle: number, quantile: number): number {
    if (handle === NONE) return 0;
    return weightedRank(this.data, handle + HEADER, this.data[handle + 1] ?? 0, quantile);
  }

  /** The list as a flat array of value, weight pairs. */
  toArray(handle: number): number[] {
    if (handle === NONE) return [];
    const from = handle + HEADER;
    return Array.from(this.data.subarray(from, from + 2 * (this.data[handle + 1] ?? 0)));
  }

  /** Gives the list's room back (at the next compaction); an empty list (-1) has none. */
  release(handle: number): void {
    if (handle !== NONE) this.released += HEADER + 2 * (this.data[handle] ?? 0);
  }

  /**
   * Whether a quarter of the room handed out waits in lists let go: time to `compact` (a few times
   * an hour: lists grow in an hour's first minutes and all go when it closes).
   */
  get wasteful(): boolean {
    return this.released > COMPACT_AFTER_SLOTS && 4 * this.released > this.end;
  }

  /**
   * Copies the live lists into an array of their size. `visit` gets the function that moves one
   * list and returns its new handle, and must pass it every handle its owners hold, once each.
   */
  compact(visit: (move: (handle: number) => number) => void): void {
    const old = this.data;
    this.data = new Uint32Array(this.end - this.released);
    this.end = 0;
    this.released = 0;
    visit((handle) => {
      if (handle === NONE) return NONE;
      const size = HEADER + 2 * (old[handle] ?? 0);
      const target = this.allocate(old[handle] ?? 0);
      this.data.set(old.subarray(handle, handle + size), target);
      return target;
    });
  }

  private allocate(room: number): number {
    const offset = this.end;
    this.end += HEADER + 2 * room;
    if (this.end > this.data.length) this.data = grown(this.data, nextCapacity(this.data.length, this.end));
    this.data[offset] = room;
    this.data[offset + 1] = 0;
    return offset;
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
