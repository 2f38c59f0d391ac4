import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { HistoryReader } from '../../src/history/reader.js';
import { seriesKey } from '../../src/history/rollup/model-series.js';
import { MaintenanceSchedule } from '../../src/maintenance/schedule.js';
import { Recorder } from '../../src/store/recorder.js';
import { retentionFrom } from '../../src/store/retention.js';
import type { Store } from '../../src/store/types.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { API_1, createHarness, DB_1, PROBES } from '../notify/dispatcher-harness.js';
import { windowAt } from './windows.js';

const MINUTE = 60_000;
/** Midnight UTC: the hour and day buckets of the history test hold exactly what it simulates. */
const T0 = Date.UTC(2026, 2, 1);

let capture: CaptureServer;
before(async () => {
  capture = await startCaptureServer();
});
after(() => capture.close());

/** A settled dispatcher with a webhook, honouring the schedule, on a fake clock. */
async function started(store: Store, notifyKeys = '', clock = new FakeClock(T0)) {
  const schedule = await MaintenanceSchedule.load(store.maintenance, clock);
  const harness = createHarness({
    notify: `[notify]\nstartup_notification = false\n${notifyKeys}\n[notify.webhook]\nhook_url = "${capture.url}/webhook"\n`,
    clock,
    maintenance: schedule,
  });
  await harness.dispatcher.start();
  harness.dispatcher.settled();
  return { clock, schedule, ...harness };
}

/** A window over the `web:db` node from `startInMs` on, for `lengthMs`. */
const dbWindow = (clock: FakeClock, lengthMs: number, startInMs = 0) =>
  windowAt(clock, startInMs, lengthMs, ['web:db']);

describeEachEngine(
  'maintenance windows and alerts',
  (engine) => {
    test('a failure inside a window sends no alert; still dead when the window ends, it alerts then', async () => {
      const store = await engine.freshStore();
      const h = await started(store);
      await h.schedule.add(dbWindow(h.clock, 30 * MINUTE));
      h.set(DB_1, 'dead');
      h.clock.advance(30 * MINUTE - 1);
      assert.deepEqual(await h.told('webhook'), []);
      h.clock.advance(1);
      assert.deepEqual(await h.told('webhook'), [['changed', 'dead']]);
      const [alert] = await h.deliveries();
      assert.deepEqual(alert?.alert.replicas, ['web:db:tcp://db-1:5432']);
      await h.stop();
      await h.schedule.stop();
      await store.close();
    });

    test('a node that recovers inside its window never alerts; a node outside it alerts as usual', async () => {
      const store = await engine.freshStore();
      const h = await started(store);
      await h.schedule.add(dbWindow(h.clock, 30 * MINUTE));
      h.set(DB_1, 'dead');
      h.clock.advance(10 * MINUTE);
      h.set(DB_1, 'healthy');
      h.set(API_1, 'dead');
      h.clock.advance(30 * MINUTE);
      assert.deepEqual(await h.told('webhook'), [['changed', 'dead']]);
      const [alert] = await h.deliveries();
      assert.deepEqual(alert?.alert.replicas, ['web:api:tcp://api-1:80'], 'only the node outside the window');
      await h.stop();
      await h.schedule.stop();
      await store.close();
    });

    test('a window starting over a dead node sends no recovery and stops its reminders; its end alerts again', async () => {
      const store = await engine.freshStore();
      const h = await started(store, 'reminder_interval = 300');
      h.set(DB_1, 'dead');
      assert.deepEqual(await h.told('webhook'), [['changed', 'dead']]);
      await h.schedule.add(dbWindow(h.clock, 30 * MINUTE));
      h.clock.advance(30 * MINUTE - 1);
      assert.deepEqual(await h.told('webhook'), [['changed', 'dead']], 'no recovery, no reminder');
      h.clock.advance(1);
      assert.deepEqual(await h.told('webhook'), [
        ['changed', 'dead'],
        ['changed', 'dead'],
      ]);
      await h.stop();
      await h.schedule.stop();
      await store.close();
    });

    test('an upcoming window changes nothing until it starts', async () => {
      const store = await engine.freshStore();
      const h = await started(store);
      await h.schedule.add(dbWindow(h.clock, 30 * MINUTE, 10 * MINUTE));
      h.set(DB_1, 'dead');
      assert.deepEqual(await h.told('webhook'), [['changed', 'dead']]);
      await h.stop();
      await h.schedule.stop();
      await store.close();
    });
  },
  ['sqlite'],
);

describeEachEngine('maintenance windows, incidents and uptime', (engine) => {
  test('no incident opens inside a window, one opens at its end if still failing; the time counts apart', async () => {
    const store = await engine.freshStore();
    const clock = new FakeClock(T0);
    const schedule = await MaintenanceSchedule.load(store.maintenance, clock);
    const config = testConfig(PROBES);
    const h = createHarness({ notify: '[notify]\n', clock });
    const recorder = await Recorder.start({
      store,
      model: h.model,
      clock,
      logger: pino({ level: 'silent' }),
      flushIntervalMs: 10 * MINUTE,
      retention: retentionFrom(config.storage),
      maintenance: schedule,
    });
    const reader = new HistoryReader(store, clock, recorder.runId);
    // 00:00–00:10 healthy, 00:10–00:40 dead under maintenance, 00:40–00:50 dead, then healthy.
    clock.advance(10 * MINUTE);
    await schedule.add(dbWindow(clock, 30 * MINUTE));
    h.set(DB_1, 'dead');
    clock.advance(20 * MINUTE);
    await recorder.flush();
    assert.deepEqual(await store.incidents.list({ limit: 10 }), [], 'no incident inside the window');

    clock.advance(10 * MINUTE);
    await recorder.flush();
    const [opened, ...others] = await store.incidents.list({ limit: 10 });
    assert.equal(others.length, 1, 'the node and the page');
    assert.equal(opened?.startedAtMs, T0 + 40 * MINUTE, 'opened when the window ended');

    clock.advance(10 * MINUTE);
    h.set(DB_1, 'healthy');
    clock.advance(10 * MINUTE);
    await recorder.flush();
    const [db] = await reader.uptime([seriesKey('node', 'web', 'db')], '24h');
    assert.equal(db?.maintenanceSeconds, 30 * 60);
    assert.equal(db?.deadSeconds, 10 * 60);
    assert.equal(db?.healthySeconds, 20 * 60);
    assert.equal(db?.uptime, 2 / 3, 'the window counts neither as up nor as down');
    const [api] = await reader.uptime([seriesKey('node', 'web', 'api')], '24h');
    assert.equal(api?.maintenanceSeconds, undefined, 'other nodes are untouched');
    assert.equal(api?.healthySeconds, 60 * 60);

    await recorder.stop();
    await h.stop();
    await schedule.stop();
    await store.close();
  });
});
