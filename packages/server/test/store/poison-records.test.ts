import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { seriesKey } from '../../src/history/rollup/model-series.js';
import { HealthModel } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { Recorder } from '../../src/store/recorder.js';
import { retentionFrom } from '../../src/store/retention.js';
import type { ReplicaRecord, RollupRow } from '../../src/store/types.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor } from '../helpers/model.js';
import { pushReplicaRecord } from '../helpers/replica-records.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { REPORTED_PROBES } from '../helpers/store-vigil.js';

/**
 * Records that reached the model without the reporter route's checks (issue #15): each must be
 * refused alone, with a logged error, while every other record keeps being written, on both
 * engines. A lone surrogate is stored as U+FFFD by both (so under another key), NUL and a bigint
 * out of range are refused by PostgreSQL; the store refuses all three on both.
 */
const NUL_ID = 'nul\u0000id';
const SURROGATE_ID = 'lone\uD800';
const HUGE_INTERVAL_ID = 'huge-interval';
const LOAD = { cpu: 0.1, ram: 0.2 };
const T0 = Date.UTC(2026, 2, 5, 14, 0, 0);

const record = (replicaId: string, overrides: Partial<ReplicaRecord> = {}) =>
  pushReplicaRecord(replicaId, T0, overrides);

function row(seriesId: number, healthySeconds: number): RollupRow {
  return { seriesId, bucketMs: T0, healthySeconds, sickSeconds: 0, deadSeconds: 0, samples: 0 };
}

/** Error lines a pino logger wrote. */
function capturedLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

describeEachEngine('poison records', (engine) => {
  test('a replica batch stores every good record and refuses each bad one alone', async () => {
    const store = await engine.freshStore();
    try {
      const refused = await store.replicas.upsert([
        record('good-1'),
        record(NUL_ID),
        record(SURROGATE_ID),
        record(HUGE_INTERVAL_ID, { intervalSeconds: 1e20 }),
        record('nan-load', { load: { cpu: Number.NaN, ram: 0 } }),
        record('good-2'),
      ]);
      assert.deepEqual(
        refused.map(({ item }) => item.replicaId),
        [NUL_ID, SURROGATE_ID, HUGE_INTERVAL_ID, 'nan-load'],
      );
      assert.deepEqual(
        (await store.replicas.list()).map((each) => each.replicaId),
        ['good-1', 'good-2'],
      );

      const removals = await store.replicas.remove([
        { serviceId: 'web', nodeId: 'app', replicaId: NUL_ID },
        { serviceId: 'web', nodeId: 'app', replicaId: 'good-1' },
      ]);
      assert.deepEqual(
        removals.map(({ item }) => item.replicaId),
        [NUL_ID],
      );
      assert.deepEqual(
        (await store.replicas.list()).map((each) => each.replicaId),
        ['good-2'],
      );
    } finally {
      await store.close();
    }
  });

  test('history series and rows: the bad ones are refused, the others written', async () => {
    const store = await engine.freshStore();
    try {
      const { series, refused } = await store.rollups.ensureSeries([
        seriesKey('replica', 'web', 'app', 'good'),
        seriesKey('replica', 'web', 'app', NUL_ID),
        seriesKey('replica', 'web', 'app', SURROGATE_ID),
      ]);
      assert.deepEqual(
        series.map((each) => each.replicaId),
        ['good'],
      );
      assert.deepEqual(
        refused.map(({ item }) => item.replicaId),
        [NUL_ID, SURROGATE_ID],
      );
      const [good] = series;
      assert.ok(good);
      const refusedRows = await store.rollups.write({
        minute: [row(good.id, 60), row(good.id + 1, Number.NaN)],
        hour: [row(good.id, 60)],
        day: [],
      });
      assert.deepEqual(
        refusedRows.map(({ item }) => item.seriesId),
        [good.id + 1],
      );
      assert.equal((await store.rollups.read('minute', good.id, T0, T0 + 60_000)).length, 1);
      assert.equal((await store.rollups.read('hour', good.id, T0, T0 + 60_000)).length, 1);
    } finally {
      await store.close();
    }
  });

  test('an unreachable store is not a refusal: the write throws and sets nothing aside', async () => {
    const store = await engine.freshStore();
    await store.close();
    await assert.rejects(store.replicas.upsert([record('good-1')]));
  });

  test('alerts naming bad replicas are stored and read back as they were', async () => {
    const store = await engine.freshStore();
    try {
      const replicas = [`web:app:${NUL_ID}`, `web:app:${SURROGATE_ID}`];
      const alert = {
        id: 'a',
        kind: 'changed' as const,
        status: 'dead' as const,
        replicas,
        atMs: T0,
        page: { title: 'Status', url: 'https://status.example.com/' },
      };
      const state = {
        lastStatus: 'dead' as const,
        notifiedAtMs: T0,
        escalateCounter: 0,
        backoffCounter: 1,
        lastReplicas: replicas,
      };
      await store.outbox.enqueue(alert, ['webhook'], T0, { key: 'page', state });
      assert.deepEqual((await store.outbox.pending())[0]?.alert, alert);
      assert.deepEqual((await store.alerts.watcherStates()).get('page'), state);
    } finally {
      await store.close();
    }
  });

  test('reports the model took in unchecked: history and replica snapshots keep flowing for everyone else', async () => {
    const store = await engine.freshStore();
    const clock = new FakeClock(T0);
    const config = testConfig(REPORTED_PROBES);
    const model = new HealthModel(
      buildTopology(config),
      { pushDelayDeadSeconds: 20, localDelayDeadSeconds: 40, pushCpuSickAbove: 0.9, pushRamSickAbove: 0.9 },
      clock,
    );
    const observe = sourcesFor(model, clock);
    const { logger, lines } = capturedLogger();
    const recorder = await Recorder.start({
      store,
      model,
      clock,
      logger,
      flushIntervalMs: 10_000,
      retention: retentionFrom(config.storage),
    });
    try {
      const reportAll = () => {
        observe.push('web', 'app', 'good', 30, LOAD);
        observe.push('web', 'app', NUL_ID, 30, LOAD);
        observe.push('web', 'app', SURROGATE_ID, 30, LOAD);
        observe.push('web', 'app', HUGE_INTERVAL_ID, 1e20, LOAD);
        observe.local('relay', 'lan', 'lan-1', 30, 'sick');
      };
      for (let flush = 1; flush <= 7; flush++) {
        reportAll();
        clock.advance(10_000);
        await recorder.flush();
        const stored = await store.replicas.list();
        assert.deepEqual(
          stored.map((each) => [each.replicaId, each.reportAtMs]),
          [
            ['good', clock.now() - 10_000],
            ['lan-1', clock.now() - 10_000],
          ],
          `flush ${flush}: the good replicas' latest reports are stored`,
        );
      }
      // A minute has closed: its rows for the good replica and its node are stored; none for the bad ones.
      const { series } = await store.rollups.ensureSeries([
        seriesKey('replica', 'web', 'app', 'good'),
        seriesKey('node', 'web', 'app'),
        seriesKey('replica', 'web', 'app', HUGE_INTERVAL_ID),
      ]);
      for (const each of series) {
        const rows = await store.rollups.read('minute', each.id, T0, T0 + 60_000);
        assert.equal(rows[0]?.healthySeconds, 60, `a full healthy minute for ${each.kind} ${each.replicaId}`);
      }
      assert.equal(
        (await store.rollups.listSeries()).some((each) => each.replicaId.startsWith('nul')),
        false,
        'no series row for the NUL id',
      );

      const text = lines.join('');
      assert.ok(!text.includes('\u0000'), 'no raw NUL in the log');
      assert.match(text, /the store refused 3 push or local replicas/);
      assert.match(text, /web:app:\\"nul\\\\u0000id\\"/);
      assert.match(text, /web:app:\\"lone\\\\ud800\\"/);
      assert.match(text, /history series \(their rows are dropped\)/);
      const seriesLines = lines.filter((line) => line.includes('history series'));
      assert.equal(seriesLines.length, 1, 'a refused series is logged once, not at every flush');
    } finally {
      await recorder.stop();
      await store.close();
    }
  });
});
