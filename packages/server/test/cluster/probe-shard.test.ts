import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProbeShard, rendezvousOwner } from '../../src/cluster/probe-shard.js';
import { FakeClock } from '../helpers/fake-clock.js';

/**
 * A member's share, and when it says the share changed: at a join or a death seen in the member
 * list, and the moment its list is a lease old (it owns everything then), so a prober thread is
 * told at once rather than at the end of its round.
 */
const LEASE_MS = 3000;
const KEYS = Array.from({ length: 30 }, (_, index) => ({
  serviceId: 'web',
  nodeId: 'api',
  replicaId: `r${index}`,
}));

function setup() {
  const clock = new FakeClock();
  const reads: { live: string[] | Error } = { live: ['a', 'b'] };
  const shard = new ProbeShard({
    instanceId: 'a',
    leaseMs: LEASE_MS,
    pollQuorum: 1,
    clock,
    logger: { warn: () => {} },
    async readLive() {
      if (reads.live instanceof Error) throw reads.live;
      return reads.live;
    },
  });
  let changes = 0;
  shard.onChange(() => {
    changes += 1;
  });
  const owned = () => KEYS.filter((key) => shard.owns(key, 'poll')).length;
  return { clock, reads, shard, owned, changes: () => changes };
}

test('a change of members is told once; the same list again is not', async () => {
  const { reads, shard, owned, changes } = setup();
  await shard.refresh();
  assert.equal(changes(), 1);
  const share = KEYS.filter((key) => rendezvousOwner(`web:api:${key.replicaId}`, ['a', 'b']) === 'a').length;
  assert.equal(owned(), share);
  await shard.refresh();
  assert.equal(changes(), 1);
  reads.live = ['a'];
  await shard.refresh();
  assert.equal(changes(), 2);
  assert.equal(owned(), KEYS.length);
});

test('a list a lease old: everything is owned, and told at that moment; the next list is told too', async () => {
  const { clock, reads, shard, owned, changes } = setup();
  await shard.refresh();
  const share = owned();
  assert.ok(share < KEYS.length);
  reads.live = new Error('the database is away');
  clock.advance(LEASE_MS);
  await shard.refresh();
  assert.equal(changes(), 1);
  assert.equal(owned(), share);
  clock.advance(1);
  assert.equal(changes(), 2);
  assert.equal(owned(), KEYS.length);
  reads.live = ['a', 'b'];
  await shard.refresh();
  assert.equal(changes(), 3);
  assert.equal(owned(), share);
  shard.stop();
  clock.advance(10 * LEASE_MS);
  assert.equal(changes(), 3);
});
