import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { exited } from '../helpers/cli.js';
import { clusterHarness, LEASE_S, waitUntil } from './harness.js';

/**
 * Issue 10: `kill -9` of the alert leader during the flips loses no alert and duplicates none, and
 * alerting resumes within a lease and a round. The leader is killed right before a flip, so the
 * flip's alert can only come from its successor, once its lease has lapsed.
 */
const FLIPS = 3;
const ALERT_WAIT_MS = 20_000;
const QUIET_MS = 3000;
/**
 * The bound the issue names (lease + one round) plus what a loaded 2-core machine adds: the lease
 * (3 s) and a heartbeat round (1 s) until a survivor leads, its dispatcher's start, a poll round
 * (1 s) and a delivery. Measured: 2.3–3.5 s; the bound is kept generous so only a leader that does
 * not take over (waiting for the 30 s delivery lease, say) fails it.
 */
/** Far longer than storing a delivery's success takes. */
const RECORDED_MS = 500;
const TAKEOVER_BOUND_MS = LEASE_S * 1000 + 8000;

const harness = await clusterHarness();

test('kill -9 of the alert leader: no alert lost or repeated, a survivor takes over within a lease', async (t) => {
  await harness.startLeader('m1');
  await Promise.all([harness.startMember('m2'), harness.startMember('m3')]);
  const survivor = harness.members.get('m2');
  assert.ok(survivor);

  const flip = async (up: boolean, count: number) => {
    harness.setTarget(up);
    const alerts = () => (up ? harness.targetAlerts().recovered : harness.targetAlerts().dead);
    await waitUntil(
      () => alerts().length >= count,
      ALERT_WAIT_MS,
      `${up ? 'recovery' : 'dead alert'} ${count}`,
    );
  };

  await flip(false, 1);
  // Its delivery is recorded by then: a kill between a channel's 200 and that record is the
  // single-instance at-least-once window (docs/alerting.md), not what this test is about.
  await sleep(RECORDED_MS);
  // The leader dies just before the recovery: nobody leads until its lease lapses.
  const killed = harness.members.get('m1');
  assert.ok(killed);
  killed.child.kill('SIGKILL');
  await exited(killed.child);
  const killedAtMs = Date.now();
  await flip(true, 1);
  const resumedMs = (harness.targetAlerts().recovered[0]?.atMs ?? Number.POSITIVE_INFINITY) - killedAtMs;
  t.diagnostic(`the first alert after the kill arrived ${resumedMs} ms after it`);
  const newLeader = await harness.leader(survivor);
  assert.notEqual(newLeader, 'm1');
  for (let count = 2; count <= FLIPS; count++) {
    await flip(false, count);
    await flip(true, count);
  }
  await sleep(QUIET_MS);

  const context = `received ${JSON.stringify(harness.received())}\n${harness.logs()}`;
  const { dead, recovered } = harness.targetAlerts();
  assert.equal(dead.length, FLIPS, context);
  assert.equal(recovered.length, FLIPS, context);
  assert.equal(new Set([...dead, ...recovered].map((alert) => alert.key)).size, FLIPS * 2, context);
  assert.deepEqual(
    [...dead, ...recovered].slice(1).filter((alert) => alert.member !== newLeader),
    [],
    `after the kill only ${newLeader} sends; ${context}`,
  );
  assert.ok(resumedMs <= TAKEOVER_BOUND_MS, `alerting resumed ${resumedMs} ms after the kill; ${context}`);

  // The new leader told of the dead one, once, naming it and its vantage.
  const notices = harness.received().filter((alert) => alert.notice !== undefined);
  assert.equal(notices.length, 1, context);
  assert.equal(notices[0]?.member, newLeader);
  assert.equal(notices[0]?.status, 'dead');
  assert.deepEqual(notices[0]?.replicas, ['cluster:zone-m1:m1']);
  assert.match(notices[0]?.notice ?? '', /^monitor m1 \(zone-m1\) stopped at \d{4}-\d{2}-\d{2}T/);

  const view = await harness.cluster(survivor);
  assert.deepEqual(
    view.members.map(({ instance_id, alive }) => [instance_id, alive]),
    [
      ['m1', false],
      ['m2', true],
      ['m3', true],
    ],
  );
});
