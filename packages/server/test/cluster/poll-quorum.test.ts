import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterHarness, type Member, waitUntil } from './harness.js';

/**
 * `poll_quorum = 2` with two real members probing from different loopback source addresses
 * (127.0.0.2 and 127.0.0.3): a target that refuses only one of them stays healthy on both members,
 * noting the vantage that saw it down, and nothing is alerted; refused by both, it is dead once.
 */
const ALERT_WAIT_MS = 20_000;
/** Rounds (1 s) in which a single vantage's failure must not turn into an alert. */
const QUIET_MS = 5000;

const harness = await clusterHarness();

async function apiReplica(member: Member) {
  return (await harness.apiReplicas(member, 'api'))[0];
}

test('a target refused by one of two vantages stays healthy with a note; refused by both, it is dead', async () => {
  const quorum = { metrics: 'poll_quorum = 2\n', reveal: true };
  const a = await harness.startLeader('m1', 'vantage-a', {
    ...quorum,
    cluster: 'source_address = "127.0.0.2"\n',
  });
  const b = await harness.startMember('m2', 'vantage-b', {
    ...quorum,
    cluster: 'source_address = "127.0.0.3"\n',
  });

  harness.setAddressDown('127.0.0.3', true);
  for (const member of [a, b]) {
    await waitUntil(
      async () => (await apiReplica(member))?.reason?.includes('seen down from vantage vantage-b') === true,
      ALERT_WAIT_MS,
      `${member.id} noting vantage-b's view`,
    );
  }
  await sleep(QUIET_MS);
  const replica = await apiReplica(a);
  assert.equal(replica?.status, 'healthy', JSON.stringify(replica));
  assert.match(replica?.reason ?? '', /^seen down from vantage vantage-b \(status 503\)$/);
  assert.deepEqual(harness.targetAlerts().dead, [], 'one vantage alone alerts nothing');

  harness.setAddressDown('127.0.0.2', true);
  await waitUntil(() => harness.targetAlerts().dead.length === 1, ALERT_WAIT_MS, 'the dead alert');
  // Both members' models hold the same verdict; m2's may take one more result to get there.
  await waitUntil(async () => (await apiReplica(b))?.status === 'dead', 5000, "m2's verdict");
  const dead = await apiReplica(b);
  assert.match(dead?.reason ?? '', /dead from vantage-[ab] \(status 503\), vantage-[ab] \(status 503\)/);
  assert.deepEqual(
    harness.targetAlerts().dead.map((alert) => [alert.member, alert.replicas]),
    [['m1', [harness.targetPath]]],
  );

  harness.setAddressDown('127.0.0.2', false);
  harness.setAddressDown('127.0.0.3', false);
  await waitUntil(() => harness.targetAlerts().recovered.length === 1, ALERT_WAIT_MS, 'the recovery');
  await waitUntil(async () => (await apiReplica(a))?.reason === null, ALERT_WAIT_MS, 'the note cleared');
});
