import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { exited } from '../helpers/cli.js';
import { MANAGER_AUTH } from '../helpers/manager-call.js';
import { clusterHarness, type Member, waitUntil } from './harness.js';

/**
 * A push replica's deadline is judged once in a cluster: by the alert leader, whose verdict every
 * other member takes (a `silence` observation through PostgreSQL), so all pages agree and exactly
 * one member decides. Then the judge is killed -9 while the replica goes silent: the member that
 * leads next judges the deadline that passed meanwhile, once, and both survivors show it dead.
 */
const ALERT_WAIT_MS = 20_000;
/** A report every 300 ms, with interval 1 s + push_delay_dead 1 s: dead 2 s after the last one. */
const REPORT_EVERY_MS = 300;
const REPLICA = 'web:app:worker-1';
const DEAD_REASON = 'no report for 2 s (interval 1 s + push_delay_dead 1 s)';

const harness = await clusterHarness();

/** Reports `worker-1` to `member` every 300 ms while `reporting` holds. */
function reporter(member: Member) {
  const state = { reporting: true, stopped: false };
  const done = (async () => {
    while (!state.stopped) {
      if (state.reporting) assert.equal(await harness.report(member, 'worker-1', 1), 200);
      await sleep(REPORT_EVERY_MS);
    }
  })();
  return {
    set: (reporting: boolean) => {
      state.reporting = reporting;
    },
    async stop() {
      state.stopped = true;
      await done;
    },
  };
}

const replicaAlerts = () => {
  const { dead, recovered } = harness.targetAlerts();
  return {
    dead: dead.filter((alert) => alert.replicas.includes(REPLICA)),
    recovered: recovered.filter((alert) => alert.recovered?.includes(REPLICA)),
  };
};

/** Deliveries not yet recorded as delivered or failed, as the member's outbox lists them. */
async function pendingDeliveries(member: Member): Promise<number> {
  const response = await fetch(`${member.url}/manager/notifications`, {
    headers: { Authorization: MANAGER_AUTH },
  });
  const { deliveries } = (await response.json()) as { deliveries: Array<{ state: string }> };
  return deliveries.filter((delivery) => delivery.state === 'pending').length;
}

async function allShow(members: Member[], status: string, what: string): Promise<void> {
  await waitUntil(
    async () => {
      for (const member of members) {
        if ((await harness.apiReplicas(member, 'app'))[0]?.status !== status) return false;
      }
      return true;
    },
    ALERT_WAIT_MS,
    what,
  );
}

test('a silent push replica is judged once, by the leader, and every member shows it dead, also after the judge is killed -9', async () => {
  const shared = await harness.listenToShared();
  const verdicts = () =>
    shared
      .filter((each) => each.kind === 'silence' && each.subject.replicaId === 'worker-1')
      .map((each) => each.from);
  const m1 = await harness.startLeader('m1', undefined, { reveal: true });
  const m2 = await harness.startMember('m2', undefined, { reveal: true });
  const m3 = await harness.startMember('m3', undefined, { reveal: true });
  const members = [m1, m2, m3];
  const context = () =>
    `shared ${JSON.stringify(shared)}\nreceived ${JSON.stringify(harness.received())}\n${harness.logs()}`;

  // The reporter reaches m2 only; m1 leads and judges.
  const toM2 = reporter(m2);
  try {
    await allShow(members, 'healthy', 'worker-1 healthy on every member');
    toM2.set(false);
    await waitUntil(() => replicaAlerts().dead.length === 1, ALERT_WAIT_MS, 'the dead alert');
    await allShow(members, 'dead', 'worker-1 dead on every member');
    for (const member of members) {
      assert.equal((await harness.apiReplicas(member, 'app'))[0]?.reason, DEAD_REASON, member.id);
    }
    assert.deepEqual(verdicts(), ['m1'], `judged once, by the leader; ${context()}`);

    toM2.set(true);
    await waitUntil(() => replicaAlerts().recovered.length === 1, ALERT_WAIT_MS, 'the recovery');
    await allShow(members, 'healthy', 'worker-1 healthy again on every member');
    // Killed between the webhook's answer and its recording, the judge's successor would send the
    // recovery again (with the same Idempotency-Key, the documented at-least-once window).
    await waitUntil(async () => (await pendingDeliveries(m1)) === 0, ALERT_WAIT_MS, 'the recovery recorded');

    // The judge dies, and the replica falls silent while nobody leads.
    toM2.set(false);
    m1.child.kill('SIGKILL');
    await exited(m1.child);
    await waitUntil(() => replicaAlerts().dead.length === 2, ALERT_WAIT_MS, 'the dead alert after the kill');
    const survivors = [m2, m3];
    await allShow(survivors, 'dead', 'worker-1 dead on both survivors');
    const newLeader = await harness.leader(m2);
    assert.notEqual(newLeader, 'm1');
    assert.deepEqual(verdicts(), ['m1', newLeader], `judged once more, by the new leader; ${context()}`);

    const { dead, recovered } = replicaAlerts();
    assert.deepEqual(
      dead.map((alert) => alert.member),
      ['m1', newLeader],
      context(),
    );
    assert.equal(recovered.length, 1, context());
  } finally {
    await toM2.stop();
  }
});
