import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fencedOutbox } from '../../src/cluster/fenced-outbox.js';
import { memberAlerts } from '../../src/cluster/member-alerts.js';
import { Membership } from '../../src/cluster/membership.js';
import { INITIAL_ALERT_STATE } from '../../src/notify/alert-policy.js';
import type { WatcherStateRecord } from '../../src/notify/outbox.js';
import { storeOutbox } from '../../src/notify/store-outbox.js';
import { openStore } from '../../src/store/open.js';
import { FencedOutError, type Store } from '../../src/store/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { alert } from '../notify/fixtures.js';

/** The leases, fencing tokens and fenced outbox on a real PostgreSQL server. */

const quiet = { info: () => {}, warn: () => {} };
/** Short leases, so a lapse takes two seconds of real time; long enough that a loaded machine renews in time. */
const SHORT_LEASE_MS = 1500;
const LAPSE_MS = SHORT_LEASE_MS + 500;

let postgres: TestPostgres;
let store: Store;

before(async () => {
  postgres = await startTestPostgres();
  store = await openStore({ engine: 'postgres', url: await postgres.createDatabase() });
});
after(async () => {
  await store?.close();
  await postgres?.stop();
});

const watcher: WatcherStateRecord = {
  key: 'page',
  state: { ...INITIAL_ALERT_STATE, lastStatus: 'dead' },
};
const lease = (owner: string, nowMs: number) => ({ owner, nowMs, leaseMs: 30_000 });

describe('alert leadership', () => {
  test('one holder at a time; a renewal keeps the token, every new lease takes the next', async () => {
    const { cluster } = store;
    const a = await cluster.acquireLeadership('a', SHORT_LEASE_MS);
    assert.ok(a);
    assert.equal(await cluster.acquireLeadership('b', SHORT_LEASE_MS), undefined);
    assert.equal((await cluster.acquireLeadership('a', SHORT_LEASE_MS, a.token))?.token, a.token);
    await sleep(LAPSE_MS);
    const b = await cluster.acquireLeadership('b', SHORT_LEASE_MS);
    assert.equal(b?.token, a.token + 1);
    // The old holder cannot renew over it.
    assert.equal(await cluster.acquireLeadership('a', SHORT_LEASE_MS, a.token), undefined);
    // The holder restarted (it no longer knows its token): a new token fences out its former self.
    assert.equal((await cluster.acquireLeadership('b', SHORT_LEASE_MS))?.token, a.token + 2);
    // Leaving ends the lease at once, for another member to take now.
    await cluster.leave('b');
    assert.equal((await cluster.acquireLeadership('a', 10_000))?.token, a.token + 3);
    const view = await cluster.view();
    assert.equal(view.leader?.instanceId, 'a');
    assert.equal(view.leader?.current, true);
  });

  test('a fenced-out leader writes nothing and claims nothing; the new one takes its claims over', async () => {
    const { cluster } = store;
    await cluster.leave('a');
    const old = await cluster.acquireLeadership('old', SHORT_LEASE_MS);
    assert.ok(old);
    const oldOutbox = storeOutbox(store, undefined, { token: old.token });
    const first = alert({ id: 'fence-1', atMs: 1000 });
    await oldOutbox.enqueue({ alert: first, channels: ['webhook'], nowMs: 1000, watcher });
    const claimed = await oldOutbox.claimNext('webhook', lease('old', 2000));
    assert.ok(claimed && 'delivery' in claimed);

    await sleep(LAPSE_MS);
    const next = await cluster.acquireLeadership('new', 10_000);
    assert.equal(next?.token, old.token + 1);
    await assert.rejects(
      oldOutbox.enqueue({
        alert: alert({ id: 'fence-2', atMs: 3000 }),
        channels: ['webhook'],
        nowMs: 3000,
        watcher,
      }),
      FencedOutError,
    );
    await assert.rejects(oldOutbox.saveWatcherState(watcher), FencedOutError);
    assert.equal(await store.outbox.get({ alertId: 'fence-2', channel: 'webhook' }), undefined);

    // The old leader's 30 s delivery lease does not hold the new one back.
    const newOutbox = storeOutbox(store, undefined, next && { token: next.token });
    const taken = await newOutbox.claimNext('webhook', lease('new', 2500));
    assert.ok(taken && 'delivery' in taken);
    assert.equal(taken.delivery.alert.id, 'fence-1');
    await assert.rejects(oldOutbox.claimNext('webhook', lease('old', 2600)), FencedOutError);
  });
});

describe('membership', () => {
  test('liveness is judged by the database clock, whatever the member clock says', async () => {
    // An hour ahead: were local time written, the member would look alive for an hour after it stopped.
    const clock = new FakeClock(Date.now() + 3_600_000);
    const membership = new Membership({
      repository: store.cluster,
      clock,
      logger: quiet,
      instanceId: 'skewed',
      vantage: 'eu',
      leaseMs: SHORT_LEASE_MS,
    });
    await membership.start();
    const member = () =>
      store.cluster.view().then((view) => view.members.find((m) => m.instanceId === 'skewed'));
    assert.equal((await member())?.alive, true);
    await sleep(LAPSE_MS);
    // No heartbeat since (the fake clock did not move): lapsed by the database's clock.
    assert.equal((await member())?.alive, false);
    await membership.stop();
    assert.equal(await member(), undefined);
  });

  test('a member cut off from the database stops leading on its own clock and hands no claim out', async () => {
    await store.cluster.leave('new');
    const clock = new FakeClock(Date.now());
    let partitioned = false;
    const cutOff = () => Promise.reject(new Error('connection timeout'));
    const membership = new Membership({
      repository: {
        ...store.cluster,
        heartbeat: (member) => (partitioned ? cutOff() : store.cluster.heartbeat(member)),
        acquireLeadership: (...args) => (partitioned ? cutOff() : store.cluster.acquireLeadership(...args)),
      },
      clock,
      logger: quiet,
      instanceId: 'local',
      vantage: 'eu',
      leaseMs: 10_000,
    });
    const changes: Array<number | undefined> = [];
    membership.onLeadership((leadership) => changes.push(leadership?.token));
    await membership.start();
    const token = membership.leadership?.token;
    assert.ok(token !== undefined);
    let writeFailures = 0;
    const outbox = fencedOutbox(storeOutbox(store, undefined, { token }), membership, token, () => {
      writeFailures += 1;
    });
    await outbox.enqueue({
      alert: alert({ id: 'local-1', atMs: 5000 }),
      channels: ['slack'],
      nowMs: 5000,
      watcher,
    });
    // Partitioned: renewals fail, and a lease's time passes on this member's clock. The database
    // still holds its lease a moment longer, so only the local check keeps the claim from it.
    partitioned = true;
    for (let step = 0; step < 10; step++) {
      clock.advance(1000);
      await sleep(10);
    }
    assert.equal(membership.leadership, undefined);
    assert.deepEqual(changes, [token, undefined]);
    assert.equal(await outbox.claimNext('slack', lease('local', 6000)), undefined);
    assert.equal(writeFailures, 0);
    await membership.stop();
  });

  test('a write that fails for another reason than fencing asks for a restart from the stored state', async () => {
    const unreachable = new Error('connection refused');
    const failing = {
      ...storeOutbox(store),
      enqueue: () => Promise.reject(unreachable),
      saveWatcherState: () => Promise.reject(new FencedOutError({ token: 1 })),
    };
    let writeFailures = 0;
    const outbox = fencedOutbox(failing, { holds: () => true }, 1, () => {
      writeFailures += 1;
    });
    await assert.rejects(
      outbox.enqueue({ alert: alert(), channels: ['slack'], nowMs: 1, watcher }),
      unreachable,
    );
    await assert.rejects(outbox.saveWatcherState(watcher), FencedOutError);
    assert.equal(writeFailures, 1);
  });
});

describe('instance ids', () => {
  test('two processes with one instance_id: a warning naming it, not at a restart', async () => {
    const warnings: string[] = [];
    const member = (clock: FakeClock) =>
      new Membership({
        repository: store.cluster,
        clock,
        logger: { info: () => {}, warn: (message: unknown) => warnings.push(String(message)) },
        instanceId: 'twin',
        vantage: 'eu',
        leaseMs: 6000,
      });
    const first = new FakeClock(Date.now());
    const second = new FakeClock(Date.now() + 1);
    const a = member(first);
    await a.start();
    // b's first heartbeat could be a's own restart: no warning yet.
    const b = member(second);
    await b.start();
    assert.equal(warnings.length, 0);
    // The next rounds find the other's heartbeat, still live, from another process.
    for (const clock of [first, second]) {
      clock.advance(2000);
      await sleep(300);
    }
    assert.ok(
      warnings.some((line) => line.includes('another process heartbeats as instance_id "twin"')),
      warnings.join('\n'),
    );
    await Promise.all([a.stop(), b.stop()]);
  });
});

describe('member alerts', () => {
  const member = (instanceId: string, alive: boolean) => ({
    instanceId,
    vantage: 'eu',
    startedAtMs: 0,
    heartbeatAtMs: Date.UTC(2026, 0, 1, 12),
    leaseMs: 2000,
    alive,
  });
  const view = {
    nowMs: Date.UTC(2026, 0, 1, 12, 1),
    members: [member('me', true), member('a', false), member('b', true)],
  };

  test('a lapsed member is told once, naming it and its vantage; the same from any leader', () => {
    const told = new Map();
    const alerts = memberAlerts({ view, told, self: 'me', pageUrl: 'https://status.example.com/', nowMs: 1 });
    assert.equal(alerts.length, 1);
    const [stopped] = alerts;
    assert.equal(stopped?.alert.notice, 'monitor a (eu) stopped at 2026-01-01T12:00:00.000Z');
    assert.deepEqual(stopped?.alert.replicas, ['cluster:eu:a']);
    assert.equal(stopped?.alert.status, 'dead');
    const again = memberAlerts({ view, told, self: 'me', pageUrl: 'https://status.example.com/', nowMs: 2 });
    assert.equal(again[0]?.alert.id, stopped?.alert.id);
    assert.ok(stopped);
    const after = new Map([[stopped.watcher.key, stopped.watcher.state]]);
    assert.deepEqual(
      memberAlerts({ view, told: after, self: 'me', pageUrl: 'https://status.example.com/', nowMs: 3 }),
      [],
    );

    const back = { ...view, members: [member('a', true)] };
    const [returned] = memberAlerts({
      view: back,
      told: after,
      self: 'me',
      pageUrl: 'https://status.example.com/',
      nowMs: 4,
    });
    assert.equal(returned?.alert.status, 'healthy');
    assert.deepEqual(returned?.alert.recovered, ['cluster:eu:a']);
    assert.equal(returned?.alert.incident?.key, stopped.alert.incident?.key);
    assert.equal(returned?.alert.incident?.resolved, true);
    assert.notEqual(returned?.alert.id, stopped.alert.id);
  });
});
