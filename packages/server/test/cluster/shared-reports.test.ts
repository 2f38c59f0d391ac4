import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterHarness, waitUntil } from './harness.js';

/**
 * Report sharing: a push reporter that reaches only a follower is judged by the leader all the
 * same. The follower shares each report through PostgreSQL (NOTIFY); the leader, which never hears
 * from the reporter, tells when the replica falls silent and when it reports again.
 */
const ALERT_WAIT_MS = 20_000;
const QUIET_MS = 2000;

const harness = await clusterHarness();

test('a push report to a follower reaches the leader, which alerts on its silence and its return', async () => {
  await harness.startLeader('m1');
  const follower = await harness.startMember('m2');

  // Interval 1 s + push_delay_dead 1 s: dead 2 s after the last report. Reports every 300 ms.
  const stopReporting = new AbortController();
  let silent = false;
  const reporter = (async () => {
    while (!stopReporting.signal.aborted) {
      if (!silent) assert.equal(await harness.report(follower, 'worker-1', 1), 200);
      await sleep(300);
    }
  })();
  await sleep(2000);
  silent = true;
  await waitUntil(() => harness.targetAlerts().dead.length === 1, ALERT_WAIT_MS, 'the dead alert');
  silent = false;
  await waitUntil(() => harness.targetAlerts().recovered.length === 1, ALERT_WAIT_MS, 'the recovery');
  // Still reporting: nothing more is told.
  await sleep(QUIET_MS);
  stopReporting.abort();
  await reporter;

  const context = `received ${JSON.stringify(harness.received())}\n${harness.logs()}`;
  const { dead, recovered } = harness.targetAlerts();
  assert.deepEqual(
    dead.map((alert) => [alert.member, alert.replicas]),
    [['m1', ['web:app:worker-1']]],
    context,
  );
  assert.deepEqual(
    recovered.map((alert) => [alert.member, alert.recovered]),
    [['m1', ['web:app:worker-1']]],
    context,
  );
});
