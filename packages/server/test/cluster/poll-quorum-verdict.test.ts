import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PollQuorum } from '../../src/cluster/poll-quorum.js';
import { rendezvousOwner, rendezvousOwners } from '../../src/cluster/probe-shard.js';
import type { Observation } from '../../src/model/observation.js';

const subject = { serviceId: 'web', nodeId: 'api', replicaId: 'https://a.example/' };

function quorumOf(quorum: number, freshMs = 10_000) {
  const applied: Observation[] = [];
  const sink = new PollQuorum(
    {
      apply(observation) {
        applied.push(observation);
        return 'ok';
      },
    },
    quorum,
    freshMs,
  );
  const probe = (vantage: string, atMs: number, health: 'healthy' | 'sick' | 'dead', reason?: string) =>
    sink.apply({
      kind: 'probe',
      subject,
      atMs,
      health,
      latencyMs: 1,
      vantage,
      ...(reason ? { reason } : {}),
    });
  const last = () => {
    const observation = applied.at(-1);
    assert.ok(observation?.kind === 'probe');
    return { health: observation.health, reason: observation.reason, atMs: observation.atMs };
  };
  return { probe, last };
}

test('2 of 3 vantages: one down is a note, two down is the verdict, stale views stop counting', () => {
  const { probe, last } = quorumOf(2);
  probe('eu', 1000, 'healthy');
  probe('us', 1001, 'dead', 'refused');
  assert.deepEqual(last(), { health: 'healthy', reason: 'seen down from vantage us (refused)', atMs: 1001 });
  probe('ap', 1002, 'sick', 'slow');
  assert.deepEqual(last(), { health: 'sick', reason: 'down from us (refused), ap (slow)', atMs: 1002 });
  probe('eu', 1003, 'dead', 'timed out');
  assert.deepEqual(last(), {
    health: 'dead',
    reason: 'dead from eu (timed out), us (refused)',
    atMs: 1003,
  });
  // A result taken before the last verdict still makes a newer one (never dropped by the model).
  probe('ap', 1002.5, 'healthy');
  assert.equal(probe('ap', 1002.4, 'dead'), 'stale');
  // us and ap stop probing it: after freshMs only eu's view counts, below the quorum.
  probe('eu', 20_000, 'dead', 'timed out');
  assert.deepEqual(last(), {
    health: 'healthy',
    reason: 'seen down from vantage eu (timed out)',
    atMs: 20_000,
  });
  probe('eu', 21_000, 'healthy');
  assert.deepEqual(last(), { health: 'healthy', reason: undefined, atMs: 21_000 });
});

test('rendezvous owners: the same on every member, and a leaving member moves only its own keys', () => {
  const members = ['m1', 'm2', 'm3', 'm4'];
  const keys = Array.from({ length: 400 }, (_, index) => `web:api:http://127.0.0.1/${index}`);
  const before = new Map(keys.map((key) => [key, rendezvousOwner(key, members)]));
  const shares = members.map((member) => [...before.values()].filter((owner) => owner === member).length);
  for (const share of shares) assert.ok(share > 60 && share < 140, `shares ${shares}`);
  const after = new Map(keys.map((key) => [key, rendezvousOwner(key, ['m1', 'm2', 'm4'])]));
  for (const key of keys) {
    if (before.get(key) !== 'm3') assert.equal(after.get(key), before.get(key), key);
    else assert.notEqual(after.get(key), 'm3');
  }
  // A quorum's vantages are the top scorers: the first is the single owner, all are distinct.
  for (const key of keys.slice(0, 50)) {
    const owners = rendezvousOwners(key, members, 2);
    assert.equal(owners[0], before.get(key));
    assert.equal(new Set(owners).size, 2);
  }
});
