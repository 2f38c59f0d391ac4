import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IncidentLog } from '../../src/incidents/log.js';
import { pruneExpired, type Retention } from '../../src/store/retention.js';
import type { Incident, Store } from '../../src/store/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { describeEachEngine } from '../helpers/store-engines.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

const detected = (
  id: string,
  startedAtMs: number,
  scope: Incident['scope'],
  endedAtMs?: number,
): Incident => ({
  id,
  scope,
  serviceId: scope === 'node' ? 'web' : '',
  nodeId: scope === 'node' ? 'app' : '',
  startedAtMs,
  ...(endedAtMs !== undefined && { endedAtMs }),
  worst: 'dead',
  replicas: [],
  reasons: [],
});

describeEachEngine('the incident log over the store', (engine) => {
  let store: Store;
  let clock: FakeClock;
  let log: IncidentLog;
  let ids = 0;

  before(async () => {
    store = await engine.freshStore();
    clock = new FakeClock();
    // Ordered ids make the expected order readable; the tie-break on equal starts is by id.
    log = new IncidentLog(store, clock, () => `id-${String(++ids).padStart(3, '0')}`);
  });
  after(() => store.close());

  test('lists both origins newest first, page after page, with their updates', async () => {
    const t0 = clock.now();
    await store.incidents.save(detected('d-node', t0, 'node', t0 + MINUTE_MS));
    // A page-wide incident is listed only once annotated.
    await store.incidents.save(detected('d-page', t0 + 1, 'page'));
    clock.advance(MINUTE_MS);
    const first = await log.declare({
      title: 'A',
      status: 'investigating',
      message: 'a',
      services: [],
      nodes: [],
    });
    // Same start as the first: the id decides.
    const second = await log.declare({
      title: 'B',
      status: 'identified',
      message: 'b',
      services: ['web'],
      nodes: [],
    });
    clock.advance(MINUTE_MS);
    assert.equal(
      (await log.update('d-node', { status: 'resolved', message: 'was the disk' }))?.incidentId,
      'd-node',
    );
    assert.equal(await log.update('nope', { status: 'resolved', message: 'x' }), undefined);

    const everything = await log.list({ limit: 10 });
    assert.deepEqual(
      everything.map((story) => story.id),
      [second.id, first.id, 'd-node'],
    );
    const [, , node] = everything;
    assert.equal(node?.status, 'resolved', 'a detected incident takes its latest update status');
    assert.deepEqual(
      node?.updates.map((update) => update.message),
      ['was the disk'],
    );

    const pages: string[][] = [];
    let before: { startedAtMs: number; id: string } | undefined;
    for (;;) {
      const page = await log.list({ limit: 1, ...(before && { before }) });
      if (page.length === 0) break;
      pages.push(page.map((story) => story.id));
      const last = page.at(-1);
      before = last && { startedAtMs: last.startedAtMs, id: last.id };
    }
    assert.deepEqual(pages, [[second.id], [first.id], ['d-node']]);

    assert.deepEqual(
      (await log.active()).map((story) => story.id),
      [second.id, first.id],
      'open detected incidents are active once annotated',
    );
    await log.update('d-page', { status: 'monitoring', message: 'all good soon' });
    assert.deepEqual(
      (await log.active()).map((story) => story.id),
      [second.id, first.id, 'd-page'],
    );
    assert.ok((await log.list({ limit: 10 })).some((story) => story.id === 'd-page'));
  });

  test('each write is announced once it is stored', async () => {
    const heard: string[] = [];
    const stop = log.onChange(() => heard.push('changed'));
    await log.declare({ title: 'C', status: 'investigating', message: 'c', services: [], nodes: [] });
    stop();
    await log.declare({ title: 'D', status: 'investigating', message: 'd', services: [], nodes: [] });
    assert.deepEqual(heard, ['changed']);
  });

  test('retention deletes resolved incidents, and the updates of every incident it deletes', async () => {
    const fresh = await engine.freshStore();
    try {
      const pruneClock = new FakeClock();
      const pruneLog = new IncidentLog(fresh, pruneClock);
      const t0 = pruneClock.now();
      const old = await pruneLog.declare({
        title: 'old',
        status: 'investigating',
        message: 'm',
        services: [],
        nodes: [],
      });
      await pruneLog.update(old.id, { status: 'resolved', message: 'done' });
      const open = await pruneLog.declare({
        title: 'open',
        status: 'investigating',
        message: 'm',
        services: [],
        nodes: [],
      });
      await fresh.incidents.save(detected('gone', t0, 'node', t0 + 1));
      await pruneLog.update('gone', { status: 'resolved', message: 'noted' });
      pruneClock.advance(40 * DAY_MS);
      const recent = await pruneLog.declare({
        title: 'recent',
        status: 'resolved',
        message: 'm',
        services: [],
        nodes: [],
      });
      const retention: Retention = {
        rollupMs: { minute: DAY_MS, hour: DAY_MS, day: DAY_MS },
        incidentMs: 30 * DAY_MS,
        outboxMs: DAY_MS,
      };
      const pruned = await pruneExpired(fresh, retention, pruneClock.now());
      assert.equal(pruned.incidents, 1);
      assert.equal(
        pruned.declaredIncidents,
        1 + 2 + 1,
        'one incident, its two updates, the detected one’s note',
      );
      assert.deepEqual(
        (await pruneLog.list({ limit: 10 })).map((story) => story.title),
        ['recent', 'open'],
      );
      assert.deepEqual(
        (await fresh.declaredIncidents.updates([old.id, 'gone', open.id, recent.id])).map(
          (update) => update.incidentId,
        ),
        [open.id, recent.id],
      );
    } finally {
      await fresh.close();
    }
  });
});
