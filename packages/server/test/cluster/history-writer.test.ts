import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { seriesKey } from '../../src/history/rollup/model-series.js';
import type { HealthModel } from '../../src/model/health-model.js';
import { Recorder } from '../../src/store/recorder.js';
import { retentionFrom } from '../../src/store/retention.js';
import type { Store } from '../../src/store/types.js';
import { MIXED_PROBES, testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor, testModel } from '../helpers/model.js';
import { describeEachEngine } from '../helpers/store-engines.js';

/**
 * History on a shared database: two members follow the same observations (as report and probe
 * sharing give them), only the writer stores rollups and incidents, and the one that takes over
 * after the writer stops writes the minutes the old one had not, and carries its open incident on.
 */
const REPLICA = { serviceId: 'web', nodeId: 'api', replicaId: 'http://127.0.0.1:1/health' };
/** An hour boundary, so the whole test lies in one hour and one day. */
const T0 = Date.UTC(2026, 11, 4, 10, 0, 0);
const MINUTE_MS = 60_000;

function member(store: Store, clock: FakeClock, writesHistory: boolean) {
  const model = testModel(MIXED_PROBES, clock);
  return Recorder.start({
    store,
    model,
    clock,
    logger: pino({ level: 'silent' }),
    // Flushed by the test only.
    flushIntervalMs: 30 * 24 * 3_600_000,
    retention: retentionFrom(testConfig(MIXED_PROBES).storage),
    writesHistory,
  }).then((recorder) => ({ model, recorder }));
}

async function pageSeconds(store: Store, resolution: 'minute' | 'hour', toMs: number) {
  const series = (await store.rollups.listSeries()).find((each) => each.kind === seriesKey('page').kind);
  assert.ok(series, 'the page series is stored');
  const totals = (await store.rollups.totals(resolution, [series.id], T0, toMs)).get(series.id);
  // The other replicas of MIXED_PROBES are never probed: the page is sick or dead with this one.
  return totals && { up: totals.healthySeconds, down: totals.sickSeconds + totals.deadSeconds };
}

describeEachEngine(
  'history written once in a cluster',
  (engine) => {
    test('only the writer stores rollups and incidents; a takeover writes the missed minutes and keeps the incident', async () => {
      const store = await engine.freshStore();
      const clock = new FakeClock(T0);
      const a = await member(store, clock, true);
      const b = await member(store, clock, false);
      const models: HealthModel[] = [a.model, b.model];
      const observeAll = (health: 'healthy' | 'dead') => {
        for (const model of models) {
          sourcesFor(model, clock).probe(REPLICA, {
            health,
            latencyMs: 5,
            ...(health === 'dead' ? { reason: 'refused' } : {}),
          });
        }
      };
      const flushBoth = () => Promise.all([a.recorder.flush(), b.recorder.flush()]);
      try {
        observeAll('healthy');
        for (let minute = 0; minute < 3; minute++) {
          clock.advance(MINUTE_MS);
          await flushBoth();
        }
        // Three minutes seen by two members count three minutes, not six.
        assert.deepEqual(await pageSeconds(store, 'minute', T0 + 3 * MINUTE_MS), { up: 180, down: 0 });

        observeAll('dead');
        clock.advance(MINUTE_MS);
        await flushBoth();
        const opened = await store.incidents.listOpen();
        assert.equal(opened.filter((incident) => incident.scope === 'page').length, 1, 'one page incident');

        // The writer stops writing (its lease lapsed); two minutes pass before the other takes over.
        await a.recorder.setWritingHistory(false);
        clock.advance(2 * MINUTE_MS);
        await flushBoth();
        assert.equal(
          (await pageSeconds(store, 'minute', T0 + 6 * MINUTE_MS))?.down,
          60,
          'nobody wrote the minutes after the lapse yet',
        );
        await b.recorder.setWritingHistory(true);
        assert.deepEqual(await pageSeconds(store, 'minute', T0 + 6 * MINUTE_MS), { up: 180, down: 180 });
        // The open hour carries the whole of it, once.
        assert.deepEqual(await pageSeconds(store, 'hour', T0 + 2 * 3_600_000), { up: 180, down: 180 });
        // The incident the old writer opened goes on under its id, and the new writer closes it.
        const [before] = (await store.incidents.listOpen()).filter((incident) => incident.scope === 'page');
        assert.equal(before?.id, opened.find((incident) => incident.scope === 'page')?.id);
        observeAll('healthy');
        clock.advance(MINUTE_MS);
        await flushBoth();
        assert.deepEqual(await store.incidents.listOpen(), []);
        const pageIncidents = await store.incidents.list({ scope: 'page', limit: 10 });
        assert.deepEqual(
          pageIncidents.map((incident) => incident.id),
          [before?.id],
          'no second page incident',
        );
      } finally {
        await Promise.all([a.recorder.stop(), b.recorder.stop()]);
        await store.close();
      }
    });
  },
  ['postgres'],
);
