import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterHarness, waitUntil } from './harness.js';

/**
 * Issue 10: three instances on one database send each alert once. The target goes down and up
 * FLIPS times; each flip waits for its alert (so the test runs at the cluster's pace), then the
 * webhook is watched a while longer for anything extra.
 */
const FLIPS = 10;
/** Generous for a loaded 2-core machine: a poll round (1 s), a decision and a delivery. */
const ALERT_WAIT_MS = 20_000;
/** How long the test keeps listening after the last alert for a duplicate. */
const QUIET_MS = 3000;

const harness = await clusterHarness();

test('3 members: membership in the APIs, one leader, exactly one alert per flip, the heartbeat URL', async () => {
  // The first member finds no leader: it leads, and sends the cluster's one startup alert.
  const first = await harness.startLeader('m1');
  await Promise.all([harness.startMember('m2'), harness.startMember('m3')]);
  const members = [...harness.members.values()];

  await waitUntil(
    async () => (await harness.cluster(first)).members.filter((member) => member.alive).length === 3,
    20_000,
    'three live members',
  );
  for (const member of members) {
    const document = await harness.cluster(member);
    assert.equal(document.instance_id, member.id);
    assert.deepEqual(
      document.members.map(({ instance_id, vantage, alive, leader, self }) => ({
        instance_id,
        vantage,
        alive,
        leader,
        self,
      })),
      ['m1', 'm2', 'm3'].map((id) => ({
        instance_id: id,
        vantage: `zone-${id}`,
        alive: true,
        leader: id === 'm1',
        self: id === member.id,
      })),
    );
  }
  const unauthorized = await harness.managerCluster(first);
  assert.equal(unauthorized.status, 401);
  const managed = await harness.managerCluster(first, 'manager-secret');
  assert.equal(managed.status, 200);
  assert.equal(((await managed.json()) as { members: unknown[] }).members.length, 3);

  for (let flip = 1; flip <= FLIPS; flip++) {
    harness.setTarget(false);
    await waitUntil(() => harness.targetAlerts().dead.length >= flip, ALERT_WAIT_MS, `dead alert ${flip}`);
    harness.setTarget(true);
    await waitUntil(() => harness.targetAlerts().recovered.length >= flip, ALERT_WAIT_MS, `recovery ${flip}`);
  }
  await sleep(QUIET_MS);

  const { dead, recovered } = harness.targetAlerts();
  const context = `received ${JSON.stringify(harness.received())}\n${harness.logs()}`;
  assert.equal(dead.length, FLIPS, context);
  assert.equal(recovered.length, FLIPS, context);
  for (const alert of dead) assert.deepEqual(alert.replicas, [harness.targetPath]);
  // The leader sent them all, each with its own deterministic key.
  assert.deepEqual(new Set([...dead, ...recovered].map((alert) => alert.member)), new Set(['m1']), context);
  const keys = [...dead, ...recovered].map((alert) => alert.key);
  assert.equal(new Set(keys).size, FLIPS * 2, context);
  for (const key of keys) assert.match(key ?? '', /^vigil-[0-9a-f]{32}$/);
  const startups = harness.received().filter((alert) => alert.type === 'startup');
  assert.deepEqual(
    startups.map((alert) => alert.member),
    ['m1'],
    context,
  );
  // No member stopped: no cluster alert.
  assert.deepEqual(
    harness.received().filter((alert) => alert.notice !== undefined),
    [],
  );
  // Only the leader calls the dead man's switch, about once a second.
  assert.ok(harness.beats('m1').length >= 3, context);
  assert.deepEqual([harness.beats('m2').length, harness.beats('m3').length], [0, 0]);
});
