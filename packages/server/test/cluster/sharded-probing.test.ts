import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { rendezvousOwner } from '../../src/cluster/probe-shard.js';
import { clusterHarness, LEASE_S, type Member, waitUntil } from './harness.js';

/**
 * Sharded probing with 3 real members: each poll and script replica is probed by one live member
 * (its rendezvous owner), results reach every member (the leader alerts on a replica a follower
 * probes), and when a member dies its replicas are probed by the others within a lease and a round.
 *
 * Rates, not exact counts: with poll_interval = 1 a replica is probed at most about once a second
 * by its owner (a round is its checks plus the 1 s pause), so in a 6 s window it gets at most 7
 * hits, with a margin for a round ending at the window's edge; probed by all 3 members it would
 * get 15 or more.
 */
const REPLICAS = 12;
const WINDOW_MS = 6000;
const MAX_HITS_ONE_PROBER = 9;
/**
 * Taking over a dead member's share: its lease lapses (3 s), the others see it at their next
 * heartbeat (a third of a lease) and probe its replicas in their next round (about 1 s). 12 s
 * leaves the rest for a loaded 2-core machine, where a member's event loop can stall a second or two.
 */
const TAKEOVER_BOUND_MS = 12_000;
const ALERT_WAIT_MS = 20_000;

/** Script replicas, `web:jobs:0`…: each notes which member ran it. */
const SCRIPTS = 6;

const harness = await clusterHarness({
  pollReplicas: REPLICAS,
  spreadOver: ['m1', 'm2', 'm3'],
  scripts: SCRIPTS,
});

const pathOf = (url: string) => new URL(url).pathname;

/** Hits per replica path from `fromMs` on. */
function hitsSince(fromMs: number): Map<string, number> {
  const counts = new Map(harness.replicaUrls.map((url) => [pathOf(url), 0]));
  for (const hit of harness.hits) {
    if (hit.atMs >= fromMs && counts.has(hit.path)) counts.set(hit.path, (counts.get(hit.path) ?? 0) + 1);
  }
  return counts;
}

/** Each script is run by its owner among `ids` alone, and run at all, from `fromMs` on. */
function assertScriptsRunByOwners(fromMs: number, ids: string[], what: string): void {
  for (let index = 0; index < SCRIPTS; index++) {
    const owner = rendezvousOwner(`web:jobs:${index}`, ids);
    const runners = harness.scriptRuns(index).filter((run) => run.atMs >= fromMs);
    assert.ok(runners.length > 0, `${what}: script ${index} not run\n${harness.logs()}`);
    assert.deepEqual(
      [...new Set(runners.map((run) => run.member))],
      [owner],
      `${what}: script ${index} run by ${JSON.stringify(runners)}`,
    );
  }
}

/** Each replica is probed by one member: hit, but not more often than one prober would; each script run by its owner. */
async function assertProbedOnce(what: string, ids: string[]): Promise<void> {
  const fromMs = Date.now();
  await sleep(WINDOW_MS);
  assertScriptsRunByOwners(fromMs, ids, what);
  const counts = hitsSince(fromMs);
  for (const [path, hits] of counts) {
    assert.ok(
      hits >= 2 && hits <= MAX_HITS_ONE_PROBER,
      `${what}: ${path} hit ${hits} times in ${WINDOW_MS} ms (all: ${JSON.stringify([...counts])})\n${harness.logs()}`,
    );
  }
}

async function allAlive(member: Member, ids: string[]): Promise<void> {
  await waitUntil(
    async () => {
      const document = await harness.cluster(member);
      const alive = document.members.filter((each) => each.alive).map((each) => each.instance_id);
      return alive.toSorted().join() === ids.toSorted().join();
    },
    20_000,
    `members ${ids.join(', ')} alive`,
  );
}

test('three members share the probes, every member sees every result, a dead member’s share moves', async (t) => {
  const ids = ['m1', 'm2', 'm3'];
  const owners = new Map(
    harness.replicaUrls.map((url) => [url, rendezvousOwner(`web:api:${url}`, ids) ?? '']),
  );
  for (const id of ids) {
    const share = [...owners.values()].filter((owner) => owner === id).length;
    // The harness spread them (spreadOver): each member gets some of the 12.
    assert.ok(share >= 1, `${id} owns ${share} of ${REPLICAS}`);
  }

  const m1 = await harness.startLeader('m1');
  await harness.startMember('m2');
  await harness.startMember('m3');
  await allAlive(m1, ids);
  // Every member has read the new member list at a heartbeat since (a third of a lease).
  await sleep(LEASE_S * 1000);
  await assertProbedOnce('3 members', ids);

  // A replica only m2 probes fails: the leader, m1, alerts on it from m2's shared results.
  const m2Url = [...owners].find(([, owner]) => owner === 'm2')?.[0];
  assert.ok(m2Url);
  harness.setPathDown(pathOf(m2Url), true);
  const m2Path = `web:api:${m2Url}`;
  await waitUntil(
    () => harness.received().some((alert) => alert.replicas.includes(m2Path)),
    ALERT_WAIT_MS,
    `an alert naming ${m2Path}`,
  );
  assert.deepEqual(
    [...new Set(harness.received().map((alert) => alert.member))],
    ['m1'],
    'only the leader alerts',
  );
  harness.setPathDown(pathOf(m2Url), false);

  // m3 dies: each of its replicas is probed again, by m1 or m2, within the bound.
  const m3 = harness.members.get('m3');
  assert.ok(m3);
  m3.child.kill('SIGKILL');
  const killedAtMs = Date.now();
  const m3Paths = [...owners].filter(([, owner]) => owner === 'm3').map(([url]) => pathOf(url));
  await waitUntil(
    () => {
      const counts = hitsSince(killedAtMs + 500);
      return m3Paths.every((path) => (counts.get(path) ?? 0) > 0);
    },
    TAKEOVER_BOUND_MS + 10_000,
    "m3's replicas probed by the others",
  );
  const takeoverMs: number[] = [];
  for (const path of m3Paths) {
    const first = harness.hits.find((hit) => hit.path === path && hit.atMs >= killedAtMs + 500);
    assert.ok(first);
    takeoverMs.push(first.atMs - killedAtMs);
    assert.ok(
      first.atMs - killedAtMs <= TAKEOVER_BOUND_MS,
      `${path} probed again ${first.atMs - killedAtMs} ms after the kill`,
    );
  }
  t.diagnostic(`m3's replicas probed again ${takeoverMs.join(', ')} ms after the kill`);
  // Its scripts too, by the member that owns each now.
  const m3Scripts = Array.from({ length: SCRIPTS }, (_, index) => index).filter(
    (index) => rendezvousOwner(`web:jobs:${index}`, ids) === 'm3',
  );
  // Precondition on the hash: m3 owns one or more of the scripts.
  assert.ok(m3Scripts.length >= 1);
  await waitUntil(
    () => m3Scripts.every((index) => harness.scriptRuns(index).some((run) => run.atMs >= killedAtMs + 500)),
    TAKEOVER_BOUND_MS + 10_000,
    "m3's scripts run by the others",
  );
  for (const index of m3Scripts) {
    const first = harness.scriptRuns(index).find((run) => run.atMs >= killedAtMs + 500);
    assert.ok(first, `script ${index} run again after the kill`);
    assert.equal(first.member, rendezvousOwner(`web:jobs:${index}`, ['m1', 'm2']));
    assert.ok(
      first.atMs - killedAtMs <= TAKEOVER_BOUND_MS,
      `script ${index} run again ${first.atMs - killedAtMs} ms after the kill`,
    );
  }
  await allAlive(m1, ['m1', 'm2']);
  await assertProbedOnce('2 members after the kill', ['m1', 'm2']);
});
