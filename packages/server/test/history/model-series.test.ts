import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RollupAggregator, type SeriesRow } from '../../src/history/rollup/aggregator.js';
import { ModelSeries, seriesKey } from '../../src/history/rollup/model-series.js';
import { HealthModel, healthModelSettings } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const T0 = Date.UTC(2026, 2, 1);
const SHARED = 'http://127.0.0.1:1/health';

/** Two nodes of one service with a replica of the same id each, and one of their own. */
const PROBES = `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "a"
label = "A"
mode = "poll"
replicas = ["${SHARED}", "http://127.0.0.1:2/a"]
[[probe.service.node]]
id = "b"
label = "B"
mode = "poll"
replicas = ["${SHARED}", "http://127.0.0.1:3/b"]
`;

const samplesOf = (rows: readonly SeriesRow[], nodeId: string, replicaId: string) =>
  rows
    .filter(
      (row) =>
        row.series.kind === 'replica' && row.series.nodeId === nodeId && row.series.replicaId === replicaId,
    )
    .map((row) => [row.samples, row.p50Ms]);

test('replicas of one id in two nodes keep their own series, also once one of them is let go', () => {
  const config = testConfig(PROBES);
  const clock = new FakeClock(T0);
  const model = new HealthModel(buildTopology(config), healthModelSettings(config.metrics), clock);
  const aggregator = new RollupAggregator();
  const series = new ModelSeries(aggregator, model, T0);
  const inA = series.indexOf(seriesKey('replica', 'web', 'a', SHARED));
  const inB = series.indexOf(seriesKey('replica', 'web', 'b', SHARED));
  assert.notEqual(inA, undefined);
  assert.notEqual(inB, undefined);
  assert.notEqual(inA, inB);
  assert.equal(series.indexOf(seriesKey('replica', 'web', 'c', SHARED)), undefined);
  assert.deepEqual(aggregator.keyOf(inB ?? -1), seriesKey('replica', 'web', 'b', SHARED));

  series.observed({ serviceId: 'web', nodeId: 'a', replicaId: SHARED }, 10, T0 + 1000);
  series.observed({ serviceId: 'web', nodeId: 'b', replicaId: SHARED }, 30, T0 + 2000);
  series.observed({ serviceId: 'web', nodeId: 'b', replicaId: SHARED }, 30, T0 + 3000);
  const first = aggregator.drain(T0 + MINUTE);
  assert.deepEqual(samplesOf(first.minute, 'a', SHARED), [[1, 10]]);
  assert.deepEqual(samplesOf(first.minute, 'b', SHARED), [[2, 30]]);

  // Node a's replica is flushed; once its day is written it is let go, and b's stays found.
  series.replicaChanged({ serviceId: 'web', nodeId: 'a', replicaId: SHARED }, undefined, T0 + MINUTE);
  aggregator.drain(T0 + DAY + MINUTE);
  series.forgetFinished();
  assert.equal(series.indexOf(seriesKey('replica', 'web', 'a', SHARED)), undefined);
  assert.equal(series.indexOf(seriesKey('replica', 'web', 'b', SHARED)), inB);
  series.observed({ serviceId: 'web', nodeId: 'b', replicaId: SHARED }, 50, T0 + DAY + MINUTE + 1000);
  series.observed({ serviceId: 'web', nodeId: 'a', replicaId: SHARED }, 70, T0 + DAY + MINUTE + 1000);
  const later = aggregator.drain(T0 + DAY + 2 * MINUTE);
  assert.deepEqual(samplesOf(later.minute, 'b', SHARED), [[1, 50]]);
  assert.deepEqual(samplesOf(later.minute, 'a', SHARED), []);

  // It comes back: a series of its own again, not b's.
  series.replicaChanged(
    { serviceId: 'web', nodeId: 'a', replicaId: SHARED },
    'healthy',
    T0 + DAY + 2 * MINUTE,
  );
  const back = series.indexOf(seriesKey('replica', 'web', 'a', SHARED));
  assert.notEqual(back, undefined);
  assert.notEqual(back, inB);
  model.stop();
});
