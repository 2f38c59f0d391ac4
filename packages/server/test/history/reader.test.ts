import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { HistoryReader } from '../../src/history/reader.js';
import { seriesKey } from '../../src/history/rollup/model-series.js';
import { HealthModel } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { Recorder } from '../../src/store/recorder.js';
import { retentionFrom } from '../../src/store/retention.js';
import type { Store } from '../../src/store/types.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor } from '../helpers/model.js';
import { describeEachEngine } from '../helpers/store-engines.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);
const STEP = 30 * MINUTE;

const PROBES = `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "api"
label = "API"
mode = "poll"
replicas = ["tcp://10.0.0.1:80"]
`;
const config = testConfig(PROBES);
const REPLICA = { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://10.0.0.1:80' };
const replicaKey = seriesKey('replica', 'web', 'api', 'tcp://10.0.0.1:80');
const nodeKey = seriesKey('node', 'web', 'api');
const silent = pino({ level: 'silent' });

/** One run of Vigil TS: its own model and clock (a crashed run's timers must never fire again). */
async function startRun(store: Store, startMs: number) {
  const clock = new FakeClock(startMs);
  const model = new HealthModel(
    buildTopology(config),
    { pushDelayDeadSeconds: 20, localDelayDeadSeconds: 40, pushCpuSickAbove: 0.9, pushRamSickAbove: 0.9 },
    clock,
  );
  const observe = sourcesFor(model, clock);
  const recorder = await Recorder.start({
    store,
    model,
    clock,
    logger: silent,
    flushIntervalMs: 10_000,
    retention: retentionFrom(config.storage),
  });
  /** Probes every STEP until `untilMs`; dead inside `outage`. */
  async function probeUntil(untilMs: number, outage?: { fromMs: number; toMs: number }) {
    while (clock.now() < untilMs) {
      const now = clock.now();
      const dead = outage !== undefined && now >= outage.fromMs && now < outage.toMs;
      observe.probe(
        REPLICA,
        dead
          ? { health: 'dead', latencyMs: 5000, reason: 'connect ECONNREFUSED' }
          : { health: 'healthy', latencyMs: 20 },
      );
      clock.advance(STEP);
      await recorder.flush();
    }
  }
  return { clock, recorder, probeUntil };
}

describeEachEngine('history over simulated months', (engine) => {
  test('rollups, retention, gaps, uptime and incidents across three runs and 96 days', async () => {
    const store = await engine.freshStore();
    try {
      // Run 1: two healthy days, then a crash (no stop, no final flush).
      const first = await startRun(store, T0);
      await first.probeUntil(T0 + 2 * DAY);

      // Run 2 after a 38-day gap: a 3-hour outage, then a graceful stop at noon the next day.
      const second = await startRun(store, T0 + 40 * DAY);
      const outage = { fromMs: T0 + 40 * DAY + 6 * HOUR, toMs: T0 + 40 * DAY + 9 * HOUR };
      await second.probeUntil(T0 + 41 * DAY + 12 * HOUR, outage);
      await second.recorder.stop();

      // Run 3, 53 days later: one healthy day; retention has run by its end.
      const third = await startRun(store, T0 + 95 * DAY);
      await third.probeUntil(T0 + 96 * DAY);
      const now = third.clock.now();
      const reader = new HistoryReader(store, third.clock, third.recorder.runId);

      const minutes = await reader.series(replicaKey, 'minute', T0, now);
      assert.equal(minutes.length, 24 * 60, 'only run 3 is within the 48 h of minutes');
      assert.ok(minutes.every((row) => row.bucketMs >= now - 48 * HOUR));

      const hours = await reader.series(replicaKey, 'hour', T0, now);
      assert.equal(hours[0]?.bucketMs, T0 + 40 * DAY, 'run 1 is older than the 90 days of hours');
      assert.equal(hours.filter((row) => row.bucketMs < T0 + 95 * DAY).length, 36);
      const outageHours = hours
        .filter((row) => row.deadSeconds > 0)
        .map((row) => (row.bucketMs - T0 - 40 * DAY) / HOUR);
      assert.deepEqual(outageHours, [6, 7, 8]);

      const days = await reader.series(replicaKey, 'day', T0, now);
      assert.deepEqual(
        days.map((row) => [(row.bucketMs - T0) / DAY, row.healthySeconds, row.sickSeconds, row.deadSeconds]),
        [
          [0, 86_400, 0, 0],
          [1, 86_400, 0, 0],
          [40, 86_400 - 3 * 3600, 0, 3 * 3600],
          [41, 12 * 3600, 0, 0],
          [95, 86_400, 0, 0],
        ],
      );
      assert.deepEqual([days[2]?.p50Ms, days[2]?.maxMs], [20, 5000]);
      const nodeDays = await reader.series(nodeKey, 'day', T0, now);
      assert.deepEqual(
        nodeDays.map((row) => row.deadSeconds),
        [0, 0, 10_800, 0, 0],
      );

      const [ninety] = await reader.uptime([nodeKey], '90d');
      const observed = 75_600 + 10_800 + 43_200 + 86_400;
      assert.equal(ninety?.deadSeconds, 10_800);
      assert.equal(ninety?.uptime, 1 - 10_800 / observed);
      assert.equal(ninety?.coverage, observed / (89 * 86_400));
      const [day] = await reader.uptime([nodeKey], '24h');
      // At midnight the 24 h window is the 23 closed hours of run 3 plus an hour just begun.
      assert.deepEqual([day?.uptime, day?.coverage, day?.healthySeconds], [1, 1, 23 * 3600]);
      const [unknown] = await reader.uptime([seriesKey('node', 'web', 'nowhere')], '7d');
      assert.deepEqual([unknown?.uptime, unknown?.coverage], [null, 0]);

      // Asking the recorder's ids first (as the server does) answers the same, unknown series included.
      assert.equal(typeof third.recorder.seriesId(nodeKey), 'number');
      const withIds = new HistoryReader(store, third.clock, third.recorder.runId, (key) =>
        third.recorder.seriesId(key),
      );
      assert.deepEqual(await withIds.series(replicaKey, 'day', T0, now), days);
      const keys = [nodeKey, seriesKey('node', 'web', 'nowhere'), replicaKey];
      assert.deepEqual(await withIds.uptime(keys, '90d'), await reader.uptime(keys, '90d'));

      assert.deepEqual(await reader.gaps(T0, now), [
        { fromMs: T0 + 2 * DAY, toMs: T0 + 40 * DAY },
        { fromMs: T0 + 41 * DAY + 12 * HOUR, toMs: T0 + 95 * DAY },
      ]);

      // Both start at the same time; the order between them is by id, so compare them by scope.
      const incidents = (await store.incidents.list({ limit: 10 })).sort((a, b) =>
        a.scope.localeCompare(b.scope),
      );
      assert.deepEqual(
        incidents.map((each) => [each.scope, each.startedAtMs, each.endedAtMs, each.worst, each.replicas]),
        [
          ['node', outage.fromMs, outage.toMs, 'dead', ['web:api:tcp://10.0.0.1:80']],
          ['page', outage.fromMs, outage.toMs, 'dead', ['web:api:tcp://10.0.0.1:80']],
        ],
      );
      assert.deepEqual(
        incidents[0]?.reasons.map((each) => each.reason),
        ['connect ECONNREFUSED'],
      );
      await third.recorder.stop();
    } finally {
      await store.close();
    }
  });
});
