import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RollupAggregator, type SeriesBatch } from '../../src/history/rollup/aggregator.js';
import { mergeSummaries, withSortedLatencies } from '../../src/history/rollup/summary.js';
import type { BucketSummary, SeriesKey } from '../../src/store/types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);
const KEY: SeriesKey = { kind: 'replica', serviceId: 'web', nodeId: 'api', replicaId: 'tcp://a:1' };

const seconds = (row: BucketSummary) => [row.healthySeconds, row.sickSeconds, row.deadSeconds];
const rowAt = (rows: SeriesBatch['minute'], bucketMs: number) =>
  rows.find((row) => row.bucketMs === bucketMs);

describe('rollup aggregation', () => {
  test('time goes to the state the series was in, split at minute boundaries', () => {
    const aggregator = new RollupAggregator();
    const series = aggregator.track(KEY, 'healthy', T0 + 30_000);
    aggregator.setHealth(series, 'dead', T0 + 90_000);
    aggregator.setHealth(series, 'sick', T0 + 100_000);
    const batch = aggregator.drain(T0 + 2 * MINUTE);
    assert.deepEqual(
      batch.minute.map((row) => [row.bucketMs - T0, ...seconds(row)]),
      [
        [0, 30, 0, 0],
        [MINUTE, 30, 20, 10],
      ],
    );
    assert.deepEqual(seconds(batch.hour[0] ?? mergeSummaries([])), [60, 20, 10]);
    assert.deepEqual(seconds(batch.day[0] ?? mergeSummaries([])), [60, 20, 10]);
  });

  test('latency: exact percentiles per minute, sample-weighted ones per hour and day', () => {
    const aggregator = new RollupAggregator();
    const series = aggregator.track(KEY, 'healthy', T0);
    for (const [offset, latency] of [
      [1000, 10],
      [2000, 20],
      [3000, 30],
      [4000, 400],
      [MINUTE + 1000, 50],
    ] as const) {
      aggregator.observe(series, latency, T0 + offset);
    }
    aggregator.observe(series, undefined, T0 + MINUTE + 2000); // a push report: no latency
    const batch = aggregator.drain(T0 + 2 * MINUTE);
    const [first, second] = batch.minute;
    assert.deepEqual([first?.samples, first?.p50Ms, first?.p95Ms, first?.maxMs], [4, 20, 400, 400]);
    assert.deepEqual([second?.samples, second?.p50Ms, second?.p95Ms, second?.maxMs], [1, 50, 50, 50]);
    const hour = batch.hour[0];
    assert.deepEqual([hour?.samples, hour?.p50Ms, hour?.p95Ms, hour?.maxMs], [5, 20, 400, 400]);
  });

  test('a drain in slices pauses after each slice and gives what one drain gives', () => {
    const fill = (aggregator: RollupAggregator) => {
      for (let index = 0; index < 5; index++) {
        const series = aggregator.track({ ...KEY, replicaId: `tcp://a:${index}` }, 'healthy', T0);
        aggregator.observe(series, 10 + index, T0 + 1000);
        aggregator.setHealth(series, 'dead', T0 + 30_000);
      }
    };
    const whole = new RollupAggregator();
    fill(whole);
    const sliced = new RollupAggregator();
    fill(sliced);
    const steps = sliced.drainInSlices(T0 + 2 * MINUTE, 2);
    let pauses = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) pauses += 1;
    assert.equal(pauses, 2);
    assert.deepEqual(step.value, whole.drain(T0 + 2 * MINUTE));
  });

  test('minutes close into hours and hours into days, across a month', () => {
    const aggregator = new RollupAggregator();
    const series = aggregator.track(KEY, 'healthy', T0);
    const rows: SeriesBatch = { minute: [], hour: [], day: [] };
    for (let at = T0; at <= T0 + 31 * DAY; at += 6 * HOUR) {
      // Down for the first hour of every fifth day.
      const day = Math.floor((at - T0) / DAY);
      aggregator.setHealth(series, day % 5 === 0 && (at - T0) % DAY === 0 ? 'dead' : 'healthy', at);
      if (day % 5 === 0 && (at - T0) % DAY === 0) aggregator.setHealth(series, 'healthy', at + HOUR);
      const batch = aggregator.drain(at);
      rows.minute.push(...batch.minute);
      rows.hour.push(...batch.hour);
      rows.day.push(...batch.day);
    }
    assert.equal(new Set(rows.minute.map((row) => row.bucketMs)).size, 31 * 24 * 60);
    const closedDays = rows.day.filter((row) => row.bucketMs < T0 + 31 * DAY);
    const lastPerDay = new Map(closedDays.map((row) => [row.bucketMs, row]));
    assert.equal(lastPerDay.size, 31);
    for (const [bucketMs, row] of lastPerDay) {
      const day = (bucketMs - T0) / DAY;
      assert.deepEqual(seconds(row), day % 5 === 0 ? [82_800, 0, 3600] : [86_400, 0, 0], `day ${day}`);
    }
    const firstHour = rows.hour.filter((row) => row.bucketMs === T0).at(-1);
    assert.deepEqual(seconds(firstHour ?? mergeSummaries([])), [0, 0, 3600]);
  });

  test('without a state, time counts for nothing: a gap, not uptime', () => {
    const aggregator = new RollupAggregator();
    const series = aggregator.track(KEY, 'healthy', T0);
    aggregator.setHealth(series, undefined, T0 + 20_000);
    aggregator.setHealth(series, 'healthy', T0 + 50_000);
    assert.deepEqual(
      seconds(rowAt(aggregator.drain(T0 + MINUTE).minute, T0) ?? mergeSummaries([])),
      [30, 0, 0],
    );
  });

  test('a shutdown writes the minute so far; a restart in the same minute, hour and day adds to it', () => {
    const before = new RollupAggregator();
    before.track(KEY, 'healthy', T0 + 5 * MINUTE);
    const stopped = before.close(T0 + 10 * MINUTE + 20_000);
    const partial = rowAt(stopped.minute, T0 + 10 * MINUTE);
    assert.deepEqual(seconds(partial ?? mergeSummaries([])), [20, 0, 0]);
    const storedHour = stopped.hour.at(-1);
    const storedDay = stopped.day.at(-1);
    assert.deepEqual(seconds(storedHour ?? mergeSummaries([])), [320, 0, 0]);

    const after = new RollupAggregator(() => ({
      ...(partial && { minute: partial }),
      ...(storedHour && { hour: storedHour }),
      ...(storedDay && { day: storedDay }),
    }));
    after.track(KEY, 'dead', T0 + 10 * MINUTE + 50_000);
    const batch = after.drain(T0 + 12 * MINUTE);
    assert.deepEqual(seconds(rowAt(batch.minute, T0 + 10 * MINUTE) ?? mergeSummaries([])), [20, 0, 10]);
    assert.deepEqual(seconds(batch.hour.at(-1) ?? mergeSummaries([])), [320, 0, 70]);
    assert.deepEqual(seconds(batch.day.at(-1) ?? mergeSummaries([])), [320, 0, 70]);
  });

  test('a series without a state is finished once its day is written, and not before', () => {
    const aggregator = new RollupAggregator();
    const series = aggregator.track(KEY, 'healthy', T0);
    aggregator.setHealth(series, undefined, T0 + 2 * HOUR);
    aggregator.drain(T0 + 3 * HOUR);
    assert.equal(aggregator.isFinished(series), false, 'its day still has to be written');
    const batch = aggregator.drain(T0 + DAY + MINUTE);
    assert.deepEqual(seconds(batch.day.at(-1) ?? mergeSummaries([])), [7200, 0, 0]);
    assert.equal(aggregator.isFinished(series), true);
    aggregator.untrack(series);
    assert.deepEqual(aggregator.drain(T0 + 2 * DAY), { minute: [], hour: [], day: [] });
  });

  test('a prior from another bucket is ignored', () => {
    const aggregator = new RollupAggregator(() => ({
      hour: { bucketMs: T0 - HOUR, ...withSortedLatencies(mergeSummaries([]), []), healthySeconds: 3600 },
    }));
    aggregator.track(KEY, 'healthy', T0);
    assert.deepEqual(seconds(aggregator.drain(T0 + MINUTE).hour[0] ?? mergeSummaries([])), [60, 0, 0]);
  });
  test('a series number let go is given again, with nothing of the series before', () => {
    const aggregator = new RollupAggregator();
    const gone = aggregator.track(KEY, 'healthy', T0);
    aggregator.observe(gone, 12, T0 + 1000);
    aggregator.setStoreId(gone, 41);
    aggregator.setHealth(gone, undefined, T0 + 2000);
    aggregator.drain(T0 + DAY + MINUTE);
    assert.equal(aggregator.isFinished(gone), true);
    aggregator.untrack(gone);
    const next: SeriesKey = { kind: 'node', serviceId: 'web', nodeId: 'db', replicaId: '' };
    const series = aggregator.track(next, 'sick', T0 + DAY + 2 * MINUTE);
    assert.equal(series, gone);
    assert.deepEqual(aggregator.keyOf(series), next);
    assert.equal(aggregator.storeId(series), undefined);
    const batch = aggregator.drain(T0 + DAY + 3 * MINUTE);
    assert.deepEqual(
      batch.minute.map((row) => [row.series, row.bucketMs - T0 - DAY, ...seconds(row), row.samples]),
      [[next, 2 * MINUTE, 0, 60, 0, 0]],
    );
    assert.deepEqual(seconds(batch.hour[0] ?? mergeSummaries([])), [0, 60, 0]);
  });

  test('fractional latencies: the rows hold what the exact figures round to, as the store keeps them', () => {
    const aggregator = new RollupAggregator();
    const series = aggregator.track(KEY, 'healthy', T0);
    const minutes = [
      [1.4, 2.6, 2.5, 9.49],
      [3.5, 0.2],
      [7.7, 7.2, 1.1, 2.2, 3.3],
    ];
    for (const [minute, latencies] of minutes.entries()) {
      for (const [index, latencyMs] of latencies.entries())
        aggregator.observe(series, latencyMs, T0 + minute * MINUTE + (index + 1) * 1000);
    }
    const batch = aggregator.drain(T0 + minutes.length * MINUTE);
    const exact = minutes.map((latencies) =>
      withSortedLatencies(
        { healthySeconds: 60, sickSeconds: 0, deadSeconds: 0, samples: 0 },
        [...latencies].sort((a, b) => a - b),
      ),
    );
    const figures = (row: BucketSummary | undefined) => [row?.samples, row?.p50Ms, row?.p95Ms, row?.maxMs];
    const rounded = (row: BucketSummary) =>
      [row.samples, row.p50Ms, row.p95Ms, row.maxMs].map((value) => Math.round(value ?? Number.NaN));
    assert.deepEqual(batch.minute.map(figures), exact.map(rounded));
    assert.deepEqual(figures(batch.hour.at(-1)), rounded(mergeSummaries(exact)));
  });
});
