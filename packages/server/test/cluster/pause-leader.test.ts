import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterHarness, LEASE_S, waitUntil } from './harness.js';

/**
 * Issue 10: a leader paused past its lease (SIGSTOP, as a long GC pause or a partition would) sends
 * nothing once it wakes. While it sleeps the target recovers and the other member takes over; on
 * waking, the paused one still believes the target dead, so it would tell the recovery again if
 * its leadership and outbox were not fenced.
 */
const ALERT_WAIT_MS = 20_000;
/** Paused this long past its stop: three leases, so the lease has surely gone to the other member. */
const PAUSE_MS = LEASE_S * 3000 + 2000;
/** Far longer than storing a delivery's success takes. */
const RECORDED_MS = 500;
/** Listening this long after the wake for anything the woken member sends. */
const AFTER_WAKE_MS = 5000;

const harness = await clusterHarness();

test('SIGSTOP of the leader past its lease, then SIGCONT: it sends nothing after waking', async () => {
  const paused = await harness.startLeader('m1');
  const other = await harness.startMember('m2');

  harness.setTarget(false);
  await waitUntil(() => harness.targetAlerts().dead.length === 1, ALERT_WAIT_MS, 'the dead alert');
  assert.equal(harness.targetAlerts().dead[0]?.member, 'm1');

  // Its delivery is recorded by then (the single-instance at-least-once window is not the point here).
  await sleep(RECORDED_MS);
  paused.child.kill('SIGSTOP');
  const stoppedAtMs = Date.now();
  harness.setTarget(true);
  await waitUntil(() => harness.targetAlerts().recovered.length === 1, ALERT_WAIT_MS, 'the recovery');
  const stopNotice = () => harness.received().filter((alert) => alert.notice?.startsWith('monitor m1 '));
  await waitUntil(() => stopNotice().length === 1, ALERT_WAIT_MS, 'the notice that m1 stopped');
  await sleep(Math.max(0, stoppedAtMs + PAUSE_MS - Date.now()));

  paused.child.kill('SIGCONT');
  await waitUntil(() => stopNotice().length === 2, ALERT_WAIT_MS, 'the notice that m1 is back');
  await sleep(AFTER_WAKE_MS);

  const context = `received ${JSON.stringify(harness.received())}\n${harness.logs()}`;
  const fromPaused = [
    ...harness.received().filter((alert) => alert.member === 'm1' && alert.atMs > stoppedAtMs),
    ...harness.beats('m1').filter((atMs) => atMs > stoppedAtMs),
  ];
  assert.deepEqual(fromPaused, [], `the paused member sent after its pause; ${context}`);
  const { dead, recovered } = harness.targetAlerts();
  assert.equal(dead.length, 1, context);
  assert.deepEqual(
    recovered.map((alert) => alert.member),
    ['m2'],
    context,
  );
  assert.deepEqual(
    stopNotice().map((alert) => [alert.member, alert.status]),
    [
      ['m2', 'dead'],
      ['m2', 'healthy'],
    ],
  );
  assert.match(stopNotice()[1]?.notice ?? '', /^monitor m1 \(zone-m1\) is back at /);
  // The woken member is a member again, and the leadership stays where it went.
  assert.equal(await harness.leader(other), 'm2');
  const view = await harness.cluster(other);
  assert.deepEqual(
    view.members.map(({ instance_id, alive }) => [instance_id, alive]),
    [
      ['m1', true],
      ['m2', true],
    ],
  );
  assert.match(paused.log(), /m1 no longer leads alerting/);
});
