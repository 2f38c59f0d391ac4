import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Alert } from '../../src/notify/types.js';
import { openStore } from '../../src/store/open.js';
import type { Incident, ReplicaRecord, RollupRow, Store } from '../../src/store/types.js';
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

function pushReplica(replicaId: string, overrides: Partial<ReplicaRecord> = {}): ReplicaRecord {
  return {
    serviceId: 'web',
    nodeId: 'app',
    replicaId,
    mode: 'push',
    intervalSeconds: 30,
    reportAtMs: T0,
    load: { cpu: 0.25, ram: 0.5 },
    health: 'healthy',
    sinceMs: T0 - 60_000,
    ...overrides,
  };
}

describeEachEngine('store', (engine) => {
  let store: Store;
  beforeEach(async () => {
    store = await engine.freshStore();
  });
  afterEach(() => store.close());

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

  test('alert state and the ignore window are kept, replaced and cleared', async () => {
    assert.equal(await store.alerts.getAlertState(), undefined);
    assert.equal(await store.alerts.getIgnoreUntil(), undefined);
    const state = { pageStatus: 'dead' as const, notifiedAtMs: T0, escalateCounter: 2, backoffCounter: 3 };
    await store.alerts.setAlertState(state);
    await store.alerts.setAlertState({ ...state, escalateCounter: 3 });
    assert.deepEqual(await store.alerts.getAlertState(), { ...state, escalateCounter: 3 });
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

  test('a replica upserted twice in one batch keeps the last record', async () => {
    await store.replicas.upsert([pushReplica('a'), pushReplica('a', { reportAtMs: T0 + 1 })]);
    assert.equal((await store.replicas.list())[0]?.reportAtMs, T0 + 1);
  });

  test('the outbox delivers each alert once per channel, with leases, retries and an attempt log', async () => {
    await store.outbox.enqueue(alert('x'), ['slack', 'webhook'], T0);
    await store.outbox.enqueue(alert('x'), ['slack'], T0); // a replay after a crash changes nothing
    await store.outbox.enqueue(alert('later'), ['slack'], T0 + 60_000);

    const claimed = await store.outbox.claimDue({ nowMs: T0, limit: 10, leaseMs: 30_000, owner: 'one' });
    assert.deepEqual(claimed.map((item) => `${item.alertId}/${item.channel}`).sort(), [
      'x/slack',
      'x/webhook',
    ]);
    assert.deepEqual(claimed[0]?.alert, alert('x'));
    assert.deepEqual(
      await store.outbox.claimDue({ nowMs: T0 + 1, limit: 10, leaseMs: 30_000, owner: 'two' }),
      [],
    );

    await store.outbox.markAttempt(
      { alertId: 'x', channel: 'slack' },
      { atMs: T0 + 5, error: 'HTTP 502', retryAtMs: T0 + 2000 },
    );
    await store.outbox.complete({ alertId: 'x', channel: 'webhook' }, T0 + 6);
    const retried = await store.outbox.claimDue({
      nowMs: T0 + 2000,
      limit: 10,
      leaseMs: 30_000,
      owner: 'two',
    });
    assert.deepEqual(
      retried.map((item) => [item.alertId, item.channel, item.attempts, item.lastError]),
      [['x', 'slack', 1, 'HTTP 502']],
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

  test('an expired lease frees the item for another worker', async () => {
    await store.outbox.enqueue(alert('y'), ['email'], T0);
    assert.equal((await store.outbox.claimDue({ nowMs: T0, limit: 1, leaseMs: 1000, owner: 'a' })).length, 1);
    assert.equal(
      (await store.outbox.claimDue({ nowMs: T0 + 999, limit: 1, leaseMs: 1000, owner: 'b' })).length,
      0,
    );
    assert.equal(
      (await store.outbox.claimDue({ nowMs: T0 + 1000, limit: 1, leaseMs: 1000, owner: 'b' })).length,
      1,
    );
  });

  test('concurrent claims never hand the same item to two workers', async () => {
    const alerts = Array.from({ length: 20 }, (_, index) => alert(`c${index}`));
    for (const each of alerts) await store.outbox.enqueue(each, ['webhook'], T0);
    const claims = await Promise.all(
      ['a', 'b', 'c', 'd'].map((owner) =>
        store.outbox.claimDue({ nowMs: T0, limit: 8, leaseMs: 60_000, owner }),
      ),
    );
    const ids = claims.flat().map((item) => item.alertId);
    assert.equal(new Set(ids).size, ids.length);
    // A claim that lost a race for rows takes fewer; what is left is still there for the next one.
    const rest = await store.outbox.claimDue({ nowMs: T0, limit: 20, leaseMs: 60_000, owner: 'e' });
    assert.deepEqual(
      [...ids, ...rest.map((item) => item.alertId)].sort(),
      alerts.map((each) => each.id).sort(),
    );
  });

  test('rollup rows are written in batches, replaced on rewrite, read back, summed and pruned', async () => {
    const [replica, node] = await store.rollups.ensureSeries([
      { kind: 'replica', serviceId: 'web', nodeId: 'api', replicaId: 'tcp://a:1' },
      { kind: 'node', serviceId: 'web', nodeId: 'api', replicaId: '' },
    ]);
    assert.ok(replica && node);
    const again = await store.rollups.ensureSeries([
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
