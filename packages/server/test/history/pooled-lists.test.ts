import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addPoint, MAX_POINTS, PointLists } from '../../src/history/rollup/point-lists.js';
import { SampleLists } from '../../src/history/rollup/sample-lists.js';

const NONE = -1;

/** Pushes every latency into one list of `lists`; returns its head and length. */
function fill(lists: SampleLists, latencies: readonly number[]): { head: number; length: number } {
  let head = NONE;
  latencies.forEach((latencyMs, length) => {
    head = lists.push(head, length, latencyMs);
  });
  return { head, length: latencies.length };
}

describe('pooled point lists', () => {
  test('a list holds what addPoint gives, in whole ms, as it grows from class to class', () => {
    const lists = new PointLists();
    let handle = NONE;
    let expected: number[] = [];
    // Values arrive unordered and repeat; the 9th distinct one makes the nearest two merge.
    for (const [value, weight] of [
      [30, 1],
      [10.4, 2],
      [30, 3],
      [20, 1],
      [5, 4],
      [50, 1],
      [40, 2],
      [60, 1],
      [70, 1],
      [71, 5],
    ] as const) {
      handle = lists.add(handle, value, weight);
      expected = addPoint(expected, Math.round(value), weight);
      assert.deepEqual(lists.toArray(handle), expected);
    }
    assert.equal(lists.toArray(handle).length, 2 * MAX_POINTS);
    // 5:4 10:2 20:1 30:4 40:2 50:1 60:1 71(70 and 71 merged):6 → 21 samples.
    assert.equal(lists.rank(handle, 0.5), 30);
    assert.equal(lists.rank(handle, 0.95), 71);
    assert.equal(lists.rank(NONE, 0.5), 0);
  });

  test('a compaction reclaims the room of lists let go or grown; the others keep their points', () => {
    const lists = new PointLists();
    // 2,000 lists of two points (6 slots each); three in four let go, one in eight grown to three.
    const handles = Array.from({ length: 2000 }, (_, index) =>
      lists.add(lists.add(NONE, index + 1, 1), 0, 2),
    );
    const kept = handles.filter((handle, index) => {
      if (index % 4 === 0) return true;
      lists.release(handle);
      return false;
    });
    const grownLists = kept.map((handle, index) => (index % 2 === 0 ? lists.add(handle, 5000, 3) : handle));
    assert.equal(lists.wasteful, true);
    let moved = grownLists;
    lists.compact((move) => {
      moved = grownLists.map(move);
    });
    assert.equal(lists.wasteful, false);
    moved.forEach((handle, index) => {
      const value = index * 4 + 1;
      assert.deepEqual(lists.toArray(handle), [0, 2, value, 1, ...(index % 2 === 0 ? [5000, 3] : [])]);
    });
    // Live after: 250 lists of room 4 (10 slots) and 250 of room 2 (6 slots); a new list goes after them.
    assert.equal(lists.add(NONE, 1, 1), 250 * 10 + 250 * 6);
  });

  test('weights past what a slot holds are halved, keeping their ratio', () => {
    const lists = new PointLists();
    let handle = lists.add(NONE, 10, 3_000_000_000);
    handle = lists.add(handle, 20, 1_000_000_000);
    handle = lists.add(handle, 10, 3_000_000_000);
    assert.deepEqual(lists.toArray(handle), [10, 3_000_000_000, 20, 500_000_000]);
    assert.equal(lists.rank(handle, 0.5), 10);
    assert.equal(lists.rank(handle, 0.95), 20);
  });
});

describe('pooled minute samples', () => {
  test('a list across several chunks comes back whole, sorted, in whole ms', () => {
    const lists = new SampleLists();
    const latencies = Array.from({ length: 21 }, (_, index) => ((index * 7) % 21) + 0.4);
    const { head, length } = fill(lists, latencies);
    assert.deepEqual(
      Array.from(lists.sorted(head, length)),
      latencies.map(Math.round).sort((a, b) => a - b),
    );
  });

  test('lists filled side by side keep their own samples; chunks let go are reused', () => {
    const lists = new SampleLists();
    let a = NONE;
    let b = NONE;
    for (let index = 0; index < 12; index++) {
      a = lists.push(a, index, 100 + index);
      b = lists.push(b, index, 200 + index);
    }
    assert.deepEqual(
      Array.from(lists.sorted(a, 12)),
      Array.from({ length: 12 }, (_, index) => 100 + index),
    );
    lists.release(a);
    const c = fill(lists, [3, 1, 2]);
    assert.deepEqual(Array.from(lists.sorted(c.head, c.length)), [1, 2, 3]);
    assert.deepEqual(
      Array.from(lists.sorted(b, 12)),
      Array.from({ length: 12 }, (_, index) => 200 + index),
    );
  });
});
