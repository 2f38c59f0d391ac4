import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DIGEST_CHANNEL, NEWS_CHANNEL, ObservationReceiver } from '../../src/cluster/observation-receiver.js';
import type { Observation } from '../../src/model/observation.js';

/** What a member does with the notifications it hears, in the order a burst of them arrives. */

function receiver(shows?: ConstructorParameters<typeof ObservationReceiver>[0]['shows']) {
  const applied: Observation[] = [];
  const warnings: string[] = [];
  const receiving = new ObservationReceiver({
    instanceId: 'b',
    ...(shows && { shows }),
    model: {
      apply(observation) {
        applied.push(observation);
        return 'ok';
      },
    },
    logger: { warn: (...args: unknown[]) => warnings.push(String(args.at(-1))) },
  });
  return { receiving, applied, warnings };
}

const digest = (from: string, count: number, first: number) =>
  JSON.stringify({
    from,
    vantage: `zone-${from}`,
    results: Array.from({ length: count }, (_, index) => [
      'web',
      'app',
      `r-${first + index}`,
      0,
      3,
      1000 + first + index,
    ]),
  });

const news: Observation = {
  kind: 'probe',
  subject: { serviceId: 'web', nodeId: 'flip', replicaId: 'r-0' },
  atMs: 5000,
  health: 'dead',
  latencyMs: 2,
  reason: 'status 503',
  vantage: 'zone-a',
};

test('news arriving behind a burst of bulk results is applied first, the bulk a notification per turn', async () => {
  const { receiving, applied } = receiver();
  // As one read of the socket hands them over: 30 digests of 100 results, then the news.
  for (let each = 0; each < 30; each++) receiving.receive(DIGEST_CHANNEL, digest('a', 100, each * 100));
  receiving.receive(NEWS_CHANNEL, JSON.stringify({ from: 'a', observations: [news] }));
  assert.deepEqual(applied, [news], 'the news at once, nothing of the bulk yet');

  // The member's own work (its prober thread's results, requests) runs between two digests.
  let appliedWhenOtherWorkRan = -1;
  setImmediate(() => {
    appliedWhenOtherWorkRan = applied.length;
  });
  while (!receiving.idle) await nextTurn();
  assert.equal(applied.length, 3001);
  assert.equal(appliedWhenOtherWorkRan, 101, 'one digest, then the other work');
  assert.deepEqual(applied[1], {
    kind: 'probe',
    subject: { serviceId: 'web', nodeId: 'app', replicaId: 'r-0' },
    atMs: 1000,
    health: 'healthy',
    latencyMs: 3,
    vantage: 'zone-a',
  });
});

test("the member's own notifications are skipped, on both channels", async () => {
  const { receiving, applied } = receiver();
  receiving.receive(DIGEST_CHANNEL, digest('b', 10, 0));
  receiving.receive(NEWS_CHANNEL, JSON.stringify({ from: 'b', observations: [news] }));
  while (!receiving.idle) await nextTurn();
  assert.deepEqual(applied, []);
});

test('stopped, it applies no digest still waiting', async () => {
  const { receiving, applied } = receiver();
  receiving.receive(DIGEST_CHANNEL, digest('a', 10, 0));
  receiving.stop();
  await nextTurn();
  await nextTurn();
  assert.deepEqual(applied, []);
});

test('news that changes nothing this member shows waits its turn behind the news that does', async () => {
  // This member shows r-1 and r-3 healthy, r-2 and r-4 dead ("status 503"); it does not know r-9.
  const healthy = { health: 'healthy' as const };
  const dead = { health: 'dead' as const, reason: 'status 503' };
  const shown = new Map<string, { health: 'healthy' | 'dead'; reason?: string }>([
    ['r-1', healthy],
    ['r-2', dead],
    ['r-3', healthy],
    ['r-4', dead],
  ]);
  const { receiving, applied } = receiver((ref) => shown.get(ref.replicaId));
  const result = (replicaId: string, health: 'healthy' | 'dead', reason?: string): Observation => ({
    kind: 'probe',
    subject: { serviceId: 'web', nodeId: 'app', replicaId },
    atMs: 7000,
    health,
    latencyMs: 4,
    ...(reason !== undefined && { reason }),
  });
  const same = [result('r-1', 'healthy'), result('r-2', 'dead', 'status 503')];
  const changes = [
    result('r-3', 'dead', 'status 503'),
    result('r-4', 'dead', 'timed out'),
    result('r-9', 'healthy'),
  ];
  receiving.receive(NEWS_CHANNEL, JSON.stringify({ from: 'a', observations: [...same, ...changes] }));
  assert.deepEqual(applied, changes, 'a change of health or reason, or an unknown replica: at once');
  while (!receiving.idle) await nextTurn();
  assert.deepEqual(applied, [...changes, ...same]);
});

test('a digest with results that are not ones applies the good ones and warns; one that is not JSON changes nothing', async () => {
  const { receiving, applied, warnings } = receiver();
  const good = ['web', 'app', 'r-0', 1, 7, 2000, 'slow'];
  const bad = [
    ['web', 'app', 'r-1', 3, 7, 2000],
    ['web', 'app', 'r-2', 0.5, 7, 2000],
    ['web', 'app', 'r-3', 0, -1, 2000],
    ['web', 'app', 'r-4', 0, 7, null],
    ['web', 42, 'r-5', 0, 7, 2000],
    ['web', 'app', 'r-6', 0, 7, 2000, 404],
    ['web', 'app', 'r-7', 0, 7],
    'not a list',
  ];
  receiving.receive(DIGEST_CHANNEL, JSON.stringify({ from: 'a', results: [good, ...bad] }));
  receiving.receive(DIGEST_CHANNEL, '{"from":"a","results":[');
  receiving.receive(DIGEST_CHANNEL, JSON.stringify({ from: 'a', vantage: 3, results: [good] }));
  while (!receiving.idle) await nextTurn();
  assert.deepEqual(applied, [
    {
      kind: 'probe',
      subject: { serviceId: 'web', nodeId: 'app', replicaId: 'r-0' },
      atMs: 2000,
      health: 'sick',
      latencyMs: 7,
      reason: 'slow',
    },
  ]);
  assert.equal(warnings.length, 3, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /8 shared probe result\(s\) could not be read/);
});
