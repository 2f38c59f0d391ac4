import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { startRecording } from '../../src/history/recording.js';
import { HealthModel, healthModelSettings } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { prepareDispatcher } from '../../src/notify/dispatcher.js';
import type { StoreLocation } from '../../src/store/connect.js';
import { type DurableState, openDurableState } from '../../src/store/durable-state.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor } from '../helpers/model.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { REPORTED_PROBES, storageTable } from '../helpers/store-vigil.js';
import { waitFor } from '../helpers/vigil.js';

const T0 = Date.UTC(2026, 2, 5, 14, 0, 0);
const MINUTE = 60_000;
const LOAD = { cpu: 0.1, ram: 0.1 };

/**
 * The state behind a sent alert is as durable as the alert (issue #15, point 2), in process and on
 * a fake clock: main.ts's wiring (openDurableState, the dispatcher over storeOutbox and the
 * recorder), "crashed" by closing the store without the recorder's final write, and started again
 * on the same database. The periodic flush never runs here (its timer is 10 s of fake time away),
 * so whatever the restart restores was written by the alert path itself.
 */
describeEachEngine('alert state and replicas across a crash', (engine) => {
  let webhook: CaptureServer;
  before(async () => {
    webhook = await startCaptureServer();
  });
  after(() => webhook.close());

  /** One run of the server's durable parts on `location`, its clock at `startMs`. */
  async function run(location: StoreLocation, startMs: number) {
    const config = testConfig(
      `${REPORTED_PROBES}\n[notify]\n[notify.webhook]\nhook_url = "${webhook.url}/hook"\n${storageTable(location)}`,
      'push_delay_dead = 20\nlocal_delay_dead = 40',
    );
    const clock = new FakeClock(startMs);
    const logger = pino({ level: 'silent' });
    const model = new HealthModel(buildTopology(config), healthModelSettings(config.metrics), clock);
    const durable: DurableState = await openDurableState({ storage: config.storage, model, clock, logger });
    const recording = await startRecording({
      store: durable.store,
      storage: config.storage,
      model,
      clock,
      logger,
    });
    const dispatcher = prepareDispatcher(config)?.({
      model,
      outbox: recording.outbox,
      clock,
      logger,
      ignoreWindow: durable.ignoreWindow,
    });
    assert.ok(dispatcher);
    await dispatcher.start();
    // Later alerts sort after the startup alert (the outbox orders by decision time).
    clock.advance(1000);
    const store: Store = durable.store;
    return {
      clock,
      model,
      observe: sourcesFor(model, clock),
      store,
      /** Waits until the outbox holds `count` alerts. */
      async decided(count: number) {
        await waitFor(
          `${count} stored alerts`,
          async () => (await store.outbox.recent({ limit: 100 })).length >= count,
        );
      },
      /** kill -9 as far as the database goes: nothing more is written, not even the open minute. */
      async crash() {
        await dispatcher.stop(0);
        model.stop();
        await store.close();
      },
      async stop() {
        await dispatcher.stop(0);
        model.stop();
        await recording.stop();
        await durable.close();
      },
    };
  }

  test('a restart after each alert re-decides nothing: no false recovery, no second "dead"', async () => {
    const location = await engine.freshLocation();
    const first = await run(location, T0);
    first.observe.push('web', 'app', 'steady', 30, LOAD);
    first.observe.local('relay', 'lan', 'lan-1', 300, 'dead');
    await first.decided(2);
    // Written with the alert, 10 s before the periodic flush would have.
    assert.deepEqual(
      (await first.store.replicas.list()).map((each) => [each.replicaId, each.health]),
      [
        ['steady', 'healthy'],
        ['lan-1', 'dead'],
      ],
    );
    await first.crash();

    // In the outage: restored dead, as the alert said; no startup, no recovery, no second "dead".
    const second = await run(location, T0 + MINUTE);
    assert.equal(second.model.pageHealth, 'dead');
    second.observe.local('relay', 'lan', 'lan-1', 300, 'healthy');
    await second.decided(3);
    await second.crash();

    // After the recovery: restored healthy, as the recovery said; a startup, no "dead".
    const third = await run(location, T0 + 2 * MINUTE);
    assert.equal(third.model.pageHealth, 'healthy');
    await third.stop();
    assert.deepEqual(await storedAlerts(location), [
      'startup healthy',
      'changed dead',
      'changed healthy',
      'startup healthy',
    ]);
  });

  test('a replica that dies while the page is already dead is written at once too', async () => {
    const location = await engine.freshLocation();
    const first = await run(location, T0);
    first.observe.local('relay', 'lan', 'lan-1', 300, 'dead');
    first.observe.local('relay', 'lan', 'lan-2', 300, 'healthy');
    await first.decided(2);
    // No alert for this one (the page is dead already), yet a restart must know it is dead:
    // otherwise lan-1's recovery would read as the page's.
    first.observe.local('relay', 'lan', 'lan-2', 300, 'dead');
    await waitFor('lan-2 stored dead', async () =>
      (await first.store.replicas.list()).some(
        (each) => each.replicaId === 'lan-2' && each.health === 'dead',
      ),
    );
    await first.crash();

    const second = await run(location, T0 + MINUTE);
    second.observe.local('relay', 'lan', 'lan-1', 300, 'healthy');
    assert.equal(second.model.pageHealth, 'dead');
    await second.stop();
    assert.deepEqual(await storedAlerts(location), ['startup healthy', 'changed dead']);
  });

  test('time the server was down does not count toward a reporter’s silence', async () => {
    const location = await engine.freshLocation();
    const first = await run(location, T0);
    first.observe.push('web', 'app', 'steady', 30, LOAD);
    first.observe.push('web', 'app', 'gone', 30, LOAD);
    first.observe.local('relay', 'lan', 'lan-1', 300, 'sick');
    await first.decided(1);
    await first.stop();

    // Down for 10 minutes, far past interval + delay (50 s): each replica gets 50 s to report again.
    const second = await run(location, T0 + 10 * MINUTE);
    const health = () =>
      [...(second.model.node('web', 'app')?.replicas.values() ?? [])].map((each) => [each.id, each.health]);
    assert.deepEqual(health(), [
      ['steady', 'healthy'],
      ['gone', 'healthy'],
    ]);
    assert.equal(second.model.node('relay', 'lan')?.health, 'sick', 'the relay keeps its reported health');
    second.clock.advance(48_000);
    second.observe.push('web', 'app', 'steady', 30, LOAD);
    second.clock.advance(1_000);
    assert.deepEqual(health(), [
      ['steady', 'healthy'],
      ['gone', 'dead'],
    ]);
    await second.stop();
    // The first run left the page sick (not told), so the second starts with a startup alert.
    assert.deepEqual(await storedAlerts(location), ['startup healthy', 'startup healthy', 'changed dead']);
  });
});

/** The alerts stored on `location`, oldest first, as "kind status". */
async function storedAlerts(location: StoreLocation): Promise<string[]> {
  const store = await openStore(location);
  try {
    const entries = await store.outbox.recent({ limit: 100 });
    return entries.reverse().map(({ alert }) => `${alert.kind} ${alert.status}`);
  } finally {
    await store.close();
  }
}
