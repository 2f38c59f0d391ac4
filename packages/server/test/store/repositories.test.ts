import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { Migrator, sql } from 'kysely';
import { type AlertState, INITIAL_ALERT_STATE } from '../../src/notify/alert-policy.js';
import type { ChannelName } from '../../src/notify/registry.js';
import type { Alert } from '../../src/notify/types.js';
import { connect } from '../../src/store/connect.js';
import { migrationProvider } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open.js';
import type { Incident, OutboxCursor, ReplicaRecord, RollupRow, Store } from '../../src/store/types.js';
import { pushReplicaRecord } from '../helpers/replica-records.js';
import { describeEachEngine } from '../helpers/store-engines.js';

const T0 = Date.UTC(2026, 2, 5, 14, 0, 0);

function alert(id: string, overrides: Partial<Alert> = {}): Alert {
  return {
    id,
    kind: 'changed',
    status: 'dead',
    replicas: ['web:api:tcp://10.0.0.1:80'],
    atMs: T0,
    page: { title: 'Status', url: 'https://status.example.com/' },
    ...overrides,
  };
}

const DEAD_STATE: AlertState = {
  lastStatus: 'dead',
  notifiedAtMs: T0,
  escalateCounter: 2,
  backoffCounter: 3,
  lastReplicas: ['web:api:tcp://10.0.0.1:80'],
};

const pushReplica = (replicaId: string, overrides: Partial<ReplicaRecord> = {}) =>
  pushReplicaRecord(replicaId, T0, overrides);

describeEachEngine('store', (engine) => {
  let store: Store;
  const claim = (channel: ChannelName, nowMs: number, owner: string, leaseMs = 30_000) =>
    store.outbox.claimNext(channel, { nowMs, leaseMs, owner });
  beforeEach(async () => {
    store = await engine.freshStore();
  });
  afterEach(() => store.close());

  // SQLite only: the PostgreSQL fixture hands out copies of a database already at the latest version.
  const sqliteOnly = engine.engine === 'sqlite' ? test : () => {};
  sqliteOnly('0002 moves the page alert state that 0001 kept in settings', async () => {
    const location = await engine.freshLocation();
    const db = connect(location);
    await new Migrator({ db, provider: migrationProvider(location.engine) }).migrateTo('0001_initial');
    const old = { pageStatus: 'dead', notifiedAtMs: T0, escalateCounter: 2, backoffCounter: 3 };
    await db
      .insertInto('settings')
      .values({ key: 'alert_state', value: JSON.stringify(old) })
      .execute();
    await db.destroy();
    const migrated = await openStore(location);
    try {
      assert.deepEqual(
        await migrated.alerts.watcherStates(),
        new Map([['page', { ...DEAD_STATE, lastReplicas: [] }]]),
      );
    } finally {
      await migrated.close();
    }
  });

  test('migrations run once: reopening a migrated database keeps its data', async () => {
    const location = await engine.freshLocation();
    const first = await openStore(location);
    await first.announcements.insert({ id: 'a', title: 'T', text: 'x', atMs: T0 });
    await first.close();
    const second = await openStore(location);
    assert.deepEqual(
      (await second.announcements.list()).map((each) => each.id),
      ['a'],
    );
    await second.close();
  });

  test('reopening orders the executed migrations without locale collation (ICU stays unloaded)', async () => {
    const location = await engine.freshLocation();
    await (await openStore(location)).close();
    // Kysely orders executed migrations by time, and by name only when times are equal: make them so.
    const db = connect(location);
    await sql`update kysely_migration set timestamp = ${new Date(T0).toISOString()}`.execute(db);
    await db.destroy();
    const localeCompare = String.prototype.localeCompare;
    let collations = 0;
    String.prototype.localeCompare = function (this: string, ...args: Parameters<typeof localeCompare>) {
      collations++;
      return localeCompare.apply(this, args);
    };
    try {
      const reopened = await openStore(location);
      await reopened.close();
    } finally {
      String.prototype.localeCompare = localeCompare;
    }
    assert.equal(collations, 0);
  });

  test('an id no row could hold (NUL, a lone surrogate) finds nothing and changes nothing', async () => {
    const id = '5e0c6a52-3c1f-4b7e-9d1a-2f4b8c6d7e90';
    await store.maintenance.insert({
      id,
      title: 'Database upgrade',
      text: '',
      startsAtMs: T0,
      endsAtMs: T0 + 3_600_000,
      services: ['web'],
      nodes: [],
      createdAtMs: T0,
    });
    await store.subscriptions.insert({
      id,
      kind: 'hook',
      target: 'http://127.0.0.1:9/hook',
      state: 'active',
      createdAtMs: T0,
    });
    for (const unstorable of ['\0', `${id}\0`, '\uD800']) {
      assert.equal(await store.maintenance.remove(unstorable), false);
      assert.equal(await store.subscriptions.get(unstorable), undefined);
      assert.equal(await store.subscriptions.remove(unstorable), false);
    }
    assert.deepEqual(
      (await store.maintenance.listCurrent(T0)).map((window) => window.id),
      [id],
    );
    assert.equal((await store.subscriptions.get(id))?.target, 'http://127.0.0.1:9/hook');
  });

  test('announcements keep insertion order, extension fields, and removal reports unknown ids', async () => {
    await store.announcements.insert({ id: 'b', title: 'Second first', text: 'line 1\nline 2', atMs: T0 });
    await store.announcements.insert({
      id: 'a',
      title: 'Then this',
      text: 'x',
      atMs: T0,
      severity: 'critical',
      expiresAtMs: T0 + 1000,
    });
    assert.deepEqual(await store.announcements.list(), [
      { id: 'b', title: 'Second first', text: 'line 1\nline 2', atMs: T0 },
      { id: 'a', title: 'Then this', text: 'x', atMs: T0, severity: 'critical', expiresAtMs: T0 + 1000 },
    ]);
    assert.equal(await store.announcements.removeExpired(T0 + 1000), 1);
    assert.equal(await store.announcements.remove('b'), true);
    assert.equal(await store.announcements.remove('b'), false);
    assert.deepEqual(await store.announcements.list(), []);
  });

  test("each watcher's alert state and the ignore window are kept, replaced and cleared", async () => {
    assert.deepEqual(await store.alerts.watcherStates(), new Map());
    assert.equal(await store.alerts.getIgnoreUntil(), undefined);
    await store.alerts.setWatcherState({ key: 'page', state: DEAD_STATE });
    await store.alerts.setWatcherState({ key: 'page', state: { ...DEAD_STATE, escalateCounter: 3 } });
    await store.alerts.setWatcherState({ key: 'filtered', state: INITIAL_ALERT_STATE });
    assert.deepEqual(
      await store.alerts.watcherStates(),
      new Map([
        ['page', { ...DEAD_STATE, escalateCounter: 3 }],
        ['filtered', INITIAL_ALERT_STATE],
      ]),
    );
    await store.alerts.setIgnoreUntil(T0 + 60_000);
    assert.equal(await store.alerts.getIgnoreUntil(), T0 + 60_000);
    await store.alerts.setIgnoreUntil(undefined);
    assert.equal(await store.alerts.getIgnoreUntil(), undefined);
  });

  test('replicas upsert in place, keep their first-seen order, and are removed by key', async () => {
    await store.replicas.upsert([pushReplica('b'), pushReplica('a')]);
    await store.replicas.upsert([
      pushReplica('b', {
        reportAtMs: T0 + 30_000,
        load: { cpu: 0.95, ram: 0.1 },
        health: 'sick',
        reason: 'CPU',
      }),
      {
        serviceId: 'relay',
        nodeId: 'lan',
        replicaId: 'icmp://10.0.0.9',
        mode: 'local',
        intervalSeconds: 120,
        reportAtMs: T0,
        reportedHealth: 'sick',
        health: 'sick',
        sinceMs: T0,
      },
    ]);
    const listed = await store.replicas.list();
    assert.deepEqual(
      listed.map((each) => each.replicaId),
      ['b', 'a', 'icmp://10.0.0.9'],
    );
    assert.deepEqual(
      listed[0],
      pushReplica('b', {
        reportAtMs: T0 + 30_000,
        load: { cpu: 0.95, ram: 0.1 },
        health: 'sick',
        reason: 'CPU',
      }),
    );
    assert.equal(listed[2]?.reportedHealth, 'sick');
    assert.equal(listed[2]?.load, undefined);
    await store.replicas.remove([{ serviceId: 'web', nodeId: 'app', replicaId: 'b' }]);
    assert.deepEqual(
      (await store.replicas.list()).map((each) => each.replicaId),
      ['a', 'icmp://10.0.0.9'],
    );
  });

  test('removing many replicas at once takes exactly those keys, across statements', async () => {
    const ids = Array.from({ length: 1200 }, (_, index) => `host-${index}`);
    const local = { ...pushReplica('host-1'), serviceId: 'relay', nodeId: 'lan', mode: 'local' as const };
    await store.replicas.upsert([...ids.map((id) => pushReplica(id)), local]);
    // Every push replica but the last goes; `relay:lan:host-1` shares a replica id with one that goes.
    await store.replicas.remove(
      ids.slice(0, -1).map((replicaId) => ({ serviceId: 'web', nodeId: 'app', replicaId })),
    );
    assert.deepEqual(
      (await store.replicas.list()).map((each) => `${each.serviceId}:${each.nodeId}:${each.replicaId}`),
      ['web:app:host-1199', 'relay:lan:host-1'],
    );
  });

  test('a replica upserted twice in one batch keeps the last record', async () => {
    await store.replicas.upsert([pushReplica('a'), pushReplica('a', { reportAtMs: T0 + 1 })]);
    assert.equal((await store.replicas.list())[0]?.reportAtMs, T0 + 1);
  });

  test('the outbox delivers each alert once per channel, oldest first, with retries and an attempt log', async () => {
    await store.outbox.enqueue(alert('x'), ['slack', 'webhook'], T0);
    await store.outbox.enqueue(alert('x'), ['slack'], T0); // a replay after a crash changes nothing
    await store.outbox.enqueue(alert('later', { atMs: T0 + 1 }), ['slack'], T0 + 60_000);

    const slack = await claim('slack', T0, 'one');
    assert.deepEqual(slack && 'entry' in slack && slack.entry.alert, alert('x'));
    assert.ok(await claim('webhook', T0, 'one'));
    await store.outbox.markAttempt(
      { alertId: 'x', channel: 'slack' },
      { atMs: T0 + 5, error: 'HTTP 502', retryAtMs: T0 + 2000 },
    );
    await store.outbox.complete({ alertId: 'x', channel: 'webhook' }, T0 + 6);
    // The retry waits, and the later alert waits behind it: a channel hears its alerts in order.
    assert.deepEqual(await claim('slack', T0 + 10, 'two'), { retryAtMs: T0 + 2000 });
    assert.equal(await claim('webhook', T0 + 10, 'two'), undefined);
    const retried = await claim('slack', T0 + 2000, 'two');
    assert.ok(retried && 'entry' in retried);
    assert.deepEqual(
      [retried.entry.alertId, retried.entry.attempts, retried.entry.lastError, retried.entry.log.length],
      ['x', 1, 'HTTP 502', 1],
    );
    await store.outbox.markAttempt(
      { alertId: 'x', channel: 'slack' },
      { atMs: T0 + 2001, error: 'HTTP 502' },
    );
    assert.equal((await store.outbox.get({ alertId: 'x', channel: 'slack' }))?.state, 'failed');
    assert.equal((await store.outbox.get({ alertId: 'x', channel: 'webhook' }))?.state, 'delivered');
    assert.deepEqual(
      (await store.outbox.attempts('x')).map((each) => [each.channel, each.attempt, each.ok, each.error]),
      [
        ['slack', 1, false, 'HTTP 502'],
        ['webhook', 1, true, undefined],
        ['slack', 2, false, 'HTTP 502'],
      ],
    );
    assert.deepEqual(
      (await store.outbox.pending()).map((item) => item.alertId),
      ['later'],
    );
    assert.equal(await store.outbox.prune(T0 + 10_000), 2);
    assert.deepEqual(await store.outbox.attempts('x'), []);
  });

  test("a lease keeps other owners off until it runs out; the owner's own lease is its to take back", async () => {
    await store.outbox.enqueue(alert('y'), ['email'], T0);
    assert.ok(await claim('email', T0, 'a', 1000));
    assert.deepEqual(await claim('email', T0 + 999, 'b', 1000), { retryAtMs: T0 + 1000 });
    assert.ok(await claim('email', T0 + 999, 'a', 1000), 'a restarted owner resumes at once');
    const taken = await claim('email', T0 + 1999, 'b', 1000);
    assert.ok(taken && 'entry' in taken);
    // A late outcome of the first owner never turns a delivered item back.
    await store.outbox.complete({ alertId: 'y', channel: 'email' }, T0 + 2000);
    await store.outbox.markAttempt({ alertId: 'y', channel: 'email' }, { atMs: T0 + 2001, error: 'late' });
    assert.equal((await store.outbox.get({ alertId: 'y', channel: 'email' }))?.state, 'delivered');
  });

  test('concurrent claims never hand the same item to two owners', async () => {
    await store.outbox.enqueue(alert('c'), ['webhook'], T0);
    const claims = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => claim('webhook', T0, owner)));
    assert.equal(claims.filter((each) => each && 'entry' in each).length, 1);
  });

  test('an alert and the state of the watcher that decided it are written together or not at all', async () => {
    await store.outbox.enqueue(alert('s'), ['slack'], T0, { key: 'page', state: DEAD_STATE });
    assert.deepEqual(await store.alerts.watcherStates(), new Map([['page', DEAD_STATE]]));
    // A state that cannot be written (JSON has no BigInt) rolls the alert back with it.
    const unwritable = { ...DEAD_STATE, lastReplicas: [1n] } as unknown as typeof DEAD_STATE;
    await assert.rejects(store.outbox.enqueue(alert('t'), ['slack'], T0, { key: 'page', state: unwritable }));
    assert.deepEqual(
      (await store.outbox.pending()).map((item) => item.alertId),
      ['s'],
    );
    assert.deepEqual(await store.alerts.watcherStates(), new Map([['page', DEAD_STATE]]));
  });

  test('recent lists every state, newest first, with attempts, in pages', async () => {
    for (let index = 0; index < 5; index += 1) {
      await store.outbox.enqueue(alert(`r${index}`, { atMs: T0 + index }), ['slack', 'webhook'], T0);
    }
    await store.outbox.complete({ alertId: 'r0', channel: 'slack' }, T0 + 10);
    await store.outbox.markAttempt({ alertId: 'r0', channel: 'webhook' }, { atMs: T0 + 11, error: 'down' });
    const seen: string[] = [];
    let before: OutboxCursor | undefined;
    for (;;) {
      const page = await store.outbox.recent({ limit: 3, ...(before && { before }) });
      seen.push(...page.map((each) => `${each.alertId}/${each.channel}/${each.state}/${each.log.length}`));
      const last = page.at(-1);
      if (page.length < 3 || !last) break;
      before = { createdAtMs: last.createdAtMs, alertId: last.alertId, channel: last.channel };
    }
    assert.deepEqual(seen, [
      ...['r4', 'r3', 'r2', 'r1'].flatMap((id) => [`${id}/webhook/pending/0`, `${id}/slack/pending/0`]),
      'r0/webhook/failed/1',
      'r0/slack/delivered/1',
    ]);
  });

  test('a fleet of 20,000 new series is created at once, past the parameters one statement allows', async () => {
    // 4 parameters a series: one statement for them all would need 80,000 (SQLite allows 32,766).
    const keys = Array.from({ length: 20_000 }, (_, index) => ({
      kind: 'replica' as const,
      serviceId: 'web',
      nodeId: `n${Math.floor(index / 5)}`,
      replicaId: `http://127.0.0.1/r/${index}`,
    }));
    const { series, refused } = await store.rollups.ensureSeries(keys);
    assert.equal(refused.length, 0);
    assert.equal(series.length, keys.length);
    assert.equal(new Set(series.map((each) => each.id)).size, keys.length);
    assert.deepEqual(series.map((each) => each.replicaId).sort(), keys.map((key) => key.replicaId).sort());
  });

  test('rollup rows are written in batches, replaced on rewrite, read back, summed and pruned', async () => {
    const {
      series: [replica, node],
    } = await store.rollups.ensureSeries([
      { kind: 'replica', serviceId: 'web', nodeId: 'api', replicaId: 'tcp://a:1' },
      { kind: 'node', serviceId: 'web', nodeId: 'api', replicaId: '' },
    ]);
    assert.ok(replica && node);
    const { series: again } = await store.rollups.ensureSeries([
      { kind: 'node', serviceId: 'web', nodeId: 'api', replicaId: '' },
    ]);
    assert.equal(again[0]?.id, node.id);

    const row = (seriesId: number, bucketMs: number, healthySeconds: number, deadSeconds = 0): RollupRow => ({
      seriesId,
      bucketMs,
      healthySeconds,
      sickSeconds: 0,
      deadSeconds,
      samples: 2,
      p50Ms: 12,
      p95Ms: 40,
      maxMs: 41,
    });
    await store.rollups.write({
      minute: [row(replica.id, T0, 60), row(replica.id, T0 + 60_000, 30, 30), row(node.id, T0, 60)],
      hour: [row(replica.id, T0, 3000, 600)],
      day: [],
    });
    await store.rollups.write({ minute: [row(replica.id, T0, 55, 5)], hour: [], day: [] });

    assert.deepEqual(await store.rollups.read('minute', replica.id, T0, T0 + 120_000), [
      row(replica.id, T0, 55, 5),
      row(replica.id, T0 + 60_000, 30, 30),
    ]);
    assert.deepEqual(
      (await store.rollups.readBucket('minute', T0)).map((each) => each.seriesId).sort(),
      [replica.id, node.id].sort(),
    );
    assert.deepEqual(
      (await store.rollups.readBucket('minute', T0, 'node')).map((each) => each.seriesId),
      [node.id],
    );
    const totals = await store.rollups.totals('minute', [replica.id, node.id], T0, T0 + 120_000);
    assert.deepEqual(totals.get(replica.id), { healthySeconds: 85, sickSeconds: 0, deadSeconds: 35 });
    assert.deepEqual(totals.get(node.id), { healthySeconds: 60, sickSeconds: 0, deadSeconds: 0 });
    assert.equal(await store.rollups.prune('minute', T0 + 60_000), 2);
    assert.equal((await store.rollups.read('minute', replica.id, T0, T0 + 120_000)).length, 1);
  });

  test('incidents are saved, updated, closed, listed newest first with a cursor, and pruned', async () => {
    const incident = (id: string, startedAtMs: number, overrides: Partial<Incident> = {}): Incident => ({
      id,
      scope: 'node',
      serviceId: 'web',
      nodeId: 'api',
      startedAtMs,
      worst: 'sick',
      replicas: ['web:api:tcp://a:1'],
      reasons: [{ replica: 'web:api:tcp://a:1', reason: 'slow', atMs: startedAtMs }],
      ...overrides,
    });
    await store.incidents.save(incident('i1', T0));
    await store.incidents.save(incident('i2', T0 + 1000, { scope: 'page', serviceId: '', nodeId: '' }));
    await store.incidents.save(incident('i3', T0 + 2000));
    await store.incidents.save(incident('i1', T0, { worst: 'dead' }));
    await store.incidents.close('i1', T0 + 5000);

    assert.deepEqual(
      (await store.incidents.listOpen()).map((each) => each.id),
      ['i2', 'i3'],
    );
    const first = await store.incidents.list({ limit: 2 });
    assert.deepEqual(
      first.map((each) => each.id),
      ['i3', 'i2'],
    );
    const last = first.at(-1);
    assert.ok(last);
    const next = await store.incidents.list({
      limit: 2,
      before: { startedAtMs: last.startedAtMs, id: last.id },
    });
    assert.deepEqual(next, [incident('i1', T0, { worst: 'dead', endedAtMs: T0 + 5000 })]);
    assert.deepEqual(
      (await store.incidents.list({ limit: 10, state: 'open', scope: 'node' })).map((each) => each.id),
      ['i3'],
    );
    assert.deepEqual(
      (await store.incidents.list({ limit: 10, state: 'closed', serviceId: 'web', nodeId: 'api' })).map(
        (each) => each.id,
      ),
      ['i1'],
    );
    assert.equal(await store.incidents.prune(T0 + 5001), 1);
  });

  test('runs record when Vigil TS was up, even when it died without stopping', async () => {
    await store.runs.start({ id: 'r1', startedAtMs: T0, lastSeenAtMs: T0 });
    await store.runs.heartbeat('r1', T0 + 10_000);
    await store.runs.start({ id: 'r2', startedAtMs: T0 + 60_000, lastSeenAtMs: T0 + 60_000 });
    await store.runs.stop('r2', T0 + 90_000);
    assert.deepEqual(await store.runs.list(T0, T0 + 100_000), [
      { id: 'r1', startedAtMs: T0, lastSeenAtMs: T0 + 10_000 },
      { id: 'r2', startedAtMs: T0 + 60_000, lastSeenAtMs: T0 + 90_000, stoppedAtMs: T0 + 90_000 },
    ]);
    assert.deepEqual(
      (await store.runs.list(T0 + 20_000, T0 + 50_000)).map((run) => run.id),
      [],
    );
    assert.equal(await store.runs.prune(T0 + 20_000), 1);
  });
});
