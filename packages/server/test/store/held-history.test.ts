import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SeriesBatch, SeriesRow } from '../../src/history/rollup/aggregator.js';
import { seriesKeyString } from '../../src/history/rollup/buckets.js';
import { seriesKey } from '../../src/history/rollup/model-series.js';
import { HeldHistory } from '../../src/store/held-history.js';

/** What a member that does not write history keeps for a takeover, and for how long. */
const T0 = Date.UTC(2026, 11, 5, 10, 0, 0);
const MINUTE_MS = 60_000;
const WINDOW_MS = 10 * MINUTE_MS;
const page = seriesKey('page');
const replica = seriesKey('replica', 'web', 'api', 'r1');

const row = (series: SeriesRow['series'], bucketMs: number, healthySeconds: number): SeriesRow => ({
  series,
  bucketMs,
  healthySeconds,
  sickSeconds: 0,
  deadSeconds: 0,
  samples: 0,
});

const batch = (parts: Partial<SeriesBatch>): SeriesBatch => ({ minute: [], hour: [], day: [], ...parts });

/** Series indexes as the history table gives them: one per series, whatever key object asks. */
function seriesIndexes() {
  const indexes = new Map<string, number>();
  return (key: SeriesRow['series']) => {
    const text = seriesKeyString(key);
    if (!indexes.has(text)) indexes.set(text, indexes.size);
    return indexes.get(text);
  };
}

test('rows come back as they went in, optional numbers absent or present, oldest bucket first', () => {
  const held = new HeldHistory(WINDOW_MS, seriesIndexes());
  const withEverything: SeriesRow = {
    series: replica,
    bucketMs: T0 + MINUTE_MS,
    healthySeconds: 41.237,
    sickSeconds: 3.5,
    deadSeconds: 15.263,
    maintenanceSeconds: 0.001,
    samples: 7,
    p50Ms: 12.345678,
    p95Ms: 80.1,
    maxMs: 99.999,
  };
  const bare = row(page, T0, 60);
  held.hold(batch({ minute: [withEverything] }), T0 + 2 * MINUTE_MS);
  held.hold(batch({ minute: [bare] }), T0 + 2 * MINUTE_MS);
  const taken = held.take();
  assert.deepEqual(taken.minute, [bare, withEverything]);
  assert.equal(held.size, 0, 'taking empties it');
  assert.deepEqual(held.take(), batch({}));
});

test('an open hour or day keeps its latest row per series; a minute keeps each row it got', () => {
  const held = new HeldHistory(WINDOW_MS, seriesIndexes());
  for (let minute = 1; minute <= 5; minute++) {
    const nowMs = T0 + minute * MINUTE_MS;
    held.hold(
      // Each row with a key made for it, as the history table makes them.
      batch({
        minute: [row(page, nowMs - MINUTE_MS, 60), row(replica, nowMs - MINUTE_MS, 60)],
        hour: [row({ ...page }, T0, minute * 60), row({ ...replica }, T0, minute * 60)],
        day: [row({ ...page }, T0 - 10 * 3_600_000, minute * 60)],
      }),
      nowMs,
    );
  }
  assert.equal(held.size, 5 * 2 + 2 + 1);
  const taken = held.take();
  assert.deepEqual(taken.hour, [row(page, T0, 300), row(replica, T0, 300)]);
  assert.deepEqual(taken.day, [row(page, T0 - 10 * 3_600_000, 300)]);
  assert.deepEqual(
    taken.minute.map((each) => each.bucketMs),
    [0, 0, 1, 1, 2, 2, 3, 3, 4, 4].map((minute) => T0 + minute * MINUTE_MS),
  );
});

test('buckets that ended before the window go, a whole bucket at a time; memory stays bounded', () => {
  const held = new HeldHistory(WINDOW_MS, seriesIndexes());
  const series = Array.from({ length: 50 }, (_, index) => seriesKey('replica', 'web', 'api', `r${index}`));
  // Two hours of minutes, each flushed as it closes: what a member that never leads sees.
  for (let minute = 1; minute <= 120; minute++) {
    const nowMs = T0 + minute * MINUTE_MS;
    const closedMs = nowMs - MINUTE_MS;
    const hourMs = Math.floor(closedMs / 3_600_000) * 3_600_000;
    held.hold(
      batch({
        minute: series.map((key) => row(key, closedMs, 60)),
        hour: series.map((key) => row(key, hourMs, 60)),
      }),
      nowMs,
    );
    // The window's minutes (and the one being flushed), plus one open hour (and the one just closed).
    assert.ok(held.size <= series.length * (WINDOW_MS / MINUTE_MS + 1 + 2), `bounded at minute ${minute}`);
  }
  const nowMs = T0 + 120 * MINUTE_MS;
  const taken = held.take();
  const minutes = new Set(taken.minute.map((each) => each.bucketMs));
  // Each minute that ended within the window is kept whole, the ones before are gone.
  assert.deepEqual(
    [...minutes],
    Array.from({ length: 11 }, (_, index) => nowMs - (11 - index) * MINUTE_MS),
  );
  assert.equal(taken.minute.length, 11 * series.length);
  // The hour that closed 60 minutes ago is past the window too; the one open now stays.
  assert.deepEqual([...new Set(taken.hour.map((each) => each.bucketMs))], [T0 + 3_600_000]);
});

test('rows of a bucket that ended before the window are not kept at all', () => {
  const held = new HeldHistory(WINDOW_MS, seriesIndexes());
  const nowMs = T0 + 30 * MINUTE_MS;
  held.hold(batch({ minute: [row(page, T0, 60), row(page, nowMs - 2 * MINUTE_MS, 60)] }), nowMs);
  assert.deepEqual(
    held.take().minute.map((each) => each.bucketMs),
    [nowMs - 2 * MINUTE_MS],
  );
});

test('an index the table gives to another series keeps the rows apart', () => {
  const other = seriesKey('replica', 'web', 'api', 'r2');
  // Index 0 for `replica`, then for `other` (the first was let go and its index reused).
  const held = new HeldHistory(WINDOW_MS, () => 0);
  held.hold(batch({ hour: [row(replica, T0, 60)] }), T0 + MINUTE_MS);
  held.hold(batch({ hour: [row(other, T0, 120)] }), T0 + 2 * MINUTE_MS);
  assert.deepEqual(held.take().hour, [row(replica, T0, 60), row(other, T0, 120)]);
});

test('rows of a series no longer tracked are kept, each as it came', () => {
  const held = new HeldHistory(WINDOW_MS, () => undefined);
  held.hold(batch({ hour: [row(replica, T0, 60)] }), T0 + MINUTE_MS);
  held.hold(batch({ hour: [row({ ...replica }, T0, 120)] }), T0 + 2 * MINUTE_MS);
  // Both go to the writer, which writes the later one (Recorder: the later row of a bucket wins).
  assert.deepEqual(held.take().hour, [row(replica, T0, 60), row(replica, T0, 120)]);
});
