import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterHarness, waitUntil } from './harness.js';

/**
 * Issue 10: a PostgreSQL restart mid-run loses nothing. The target goes down and up twice; the
 * database is restarted (as after a crash) while the target is down the first time, so the dead
 * alert falls due while the leader's lease, claims and writes cannot reach the database.
 */
const ALERT_WAIT_MS = 40_000;
const QUIET_MS = 3000;

const harness = await clusterHarness();

test('a PostgreSQL restart while a target is down: each alert still sent exactly once', async () => {
  const first = await harness.startLeader('m1');
  await Promise.all([harness.startMember('m2'), harness.startMember('m3')]);

  harness.setTarget(false);
  await harness.restartDatabase();
  await waitUntil(
    () => harness.targetAlerts().dead.length >= 1,
    ALERT_WAIT_MS,
    'the dead alert after the restart',
  );
  harness.setTarget(true);
  await waitUntil(() => harness.targetAlerts().recovered.length >= 1, ALERT_WAIT_MS, 'the first recovery');
  harness.setTarget(false);
  await waitUntil(() => harness.targetAlerts().dead.length >= 2, ALERT_WAIT_MS, 'the second dead alert');
  harness.setTarget(true);
  await waitUntil(() => harness.targetAlerts().recovered.length >= 2, ALERT_WAIT_MS, 'the second recovery');
  await sleep(QUIET_MS);

  const context = `received ${JSON.stringify(harness.received())}\n${harness.logs()}`;
  const { dead, recovered } = harness.targetAlerts();
  assert.equal(dead.length, 2, context);
  assert.equal(recovered.length, 2, context);
  const keys = [...dead, ...recovered].map((alert) => alert.key);
  assert.equal(new Set(keys).size, 4, context);
  // Every member is back and alive once the database is.
  await waitUntil(
    async () => (await harness.cluster(first)).members.filter((member) => member.alive).length === 3,
    20_000,
    'three live members after the restart',
  );
});
