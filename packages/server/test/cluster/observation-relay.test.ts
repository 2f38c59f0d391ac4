import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { ObservationRelay } from '../../src/cluster/observation-relay.js';
import type { Observation } from '../../src/model/observation.js';
import { connect } from '../../src/store/connect.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { systemClock } from '../../src/time/clock.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { waitUntil } from './harness.js';

/** Observation sharing over a real PostgreSQL server: what is shared, with whom, and what is refused. */

let postgres: TestPostgres;
let url: string;
let store: Store;

before(async () => {
  postgres = await startTestPostgres();
  url = await postgres.createDatabase();
  store = await openStore({ engine: 'postgres', url });
});
after(async () => {
  await store?.close();
  await postgres?.stop();
});

function member(instanceId: string, vantage?: string) {
  const applied: Observation[] = [];
  const warnings: string[] = [];
  const relay = new ObservationRelay({
    url,
    instanceId,
    ...(vantage !== undefined && { vantage }),
    notify: (channel, payload) => store.cluster.notify(channel, payload),
    model: {
      apply(observation) {
        applied.push(observation);
        return 'ok';
      },
    },
    clock: systemClock,
    logger: { info: () => {}, warn: (...args: unknown[]) => warnings.push(String(args.at(-1))) },
  });
  return { relay, applied, warnings };
}

const subject = { serviceId: 'web', nodeId: 'app', replicaId: 'worker-1' };

test('reports, flushes and probe results reach the other members once; bad payloads are ignored', async () => {
  const a = member('a');
  const b = member('b');
  await Promise.all([a.relay.start(), b.relay.start()]);
  try {
    const push: Observation = {
      kind: 'push',
      subject,
      atMs: 1000,
      intervalSeconds: 30,
      load: { cpu: 0.1, ram: 0.2 },
    };
    const probe: Observation = { kind: 'probe', subject, atMs: 1001, health: 'dead', latencyMs: 3 };
    const flush: Observation = { kind: 'flush', subject, atMs: 1002 };
    for (const observation of [push, probe, flush]) assert.equal(a.relay.sink.apply(observation), 'ok');
    await waitUntil(() => b.applied.length === 3, 10_000, 'the shared report, probe result and flush');
    assert.deepEqual(b.applied, [push, probe, flush]);
    // The sender applied each once, itself; nothing came back to it.
    assert.deepEqual(a.applied, [push, probe, flush]);

    await store.cluster.notify('vigil_observations', '{"from":"x","observations":[{"kind":"push"}]}');
    await store.cluster.notify('vigil_observations', 'not json');
    await waitUntil(() => b.warnings.length === 2, 10_000, 'two warnings');
    assert.equal(b.applied.length, 3);
    assert.match(b.warnings.join('\n'), /a shared report could not be read; ignored/);

    const huge: Observation = {
      kind: 'push',
      subject: { ...subject, replicaId: 'x'.repeat(8000) },
      atMs: 1,
      intervalSeconds: 30,
      load: { cpu: 0, ram: 0 },
    };
    a.relay.sink.apply(huge);
    await sleep(300);
    assert.equal(b.applied.length, 3);
    assert.match(a.warnings.join('\n'), /a push observation too large to share stays with this member/);

    // The listening connections are cut (a PostgreSQL restart would do the same): they come back.
    const admin = connect({ engine: 'postgres', url });
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen %'`.execute(
      admin,
    );
    await admin.destroy();
    const later: Observation = { ...push, atMs: 2000 };
    await waitUntil(
      async () => {
        a.relay.sink.apply(later);
        await sleep(200);
        return b.applied.some((observation) => observation.atMs === 2000);
      },
      15_000,
      'a report shared after the reconnection',
    );
  } finally {
    await Promise.all([a.relay.stop(), b.relay.stop()]);
  }
});

test('a round of probe results goes several to a notification, each under the 8,000-byte limit', async () => {
  const a = member('a');
  const b = member('b');
  const listener = new pg.Client({ connectionString: url });
  const payloadBytes: number[] = [];
  listener.on('notification', (message) => payloadBytes.push(Buffer.byteLength(message.payload ?? '')));
  await listener.connect();
  await listener.query('LISTEN vigil_observations');
  await Promise.all([a.relay.start(), b.relay.start()]);
  try {
    const results: Observation[] = Array.from({ length: 300 }, (_, index) => ({
      kind: 'probe',
      subject: { serviceId: 'web', nodeId: 'api', replicaId: `http://127.0.0.1:9/replica-${index}` },
      atMs: 5000 + index,
      health: 'healthy',
      latencyMs: index,
    }));
    for (const result of results) a.relay.sink.apply(result);
    await waitUntil(() => b.applied.length === results.length, 10_000, 'every probe result');
    // Notifications may leave the pool's connections in any order; the model keeps the newest per replica.
    assert.deepEqual(
      b.applied.toSorted((x, y) => x.atMs - y.atMs),
      results,
    );
    await waitUntil(
      () => payloadBytes.reduce((sum, bytes) => sum + bytes, 0) > 300 * 100,
      5000,
      'the notifications seen by a plain listener',
    );
    assert.ok(payloadBytes.length > 1, 'more than one notification');
    assert.ok(payloadBytes.length < 30, `batched: ${payloadBytes.length} notifications for 300 results`);
    assert.ok(Math.max(...payloadBytes) < 8000, `largest payload ${Math.max(...payloadBytes)} bytes`);
  } finally {
    await listener.end();
    await Promise.all([a.relay.stop(), b.relay.stop()]);
  }
});

/** A plain listener on both channels: which one each shared probe result (by its time) came on. */
async function channelListener() {
  const client = new pg.Client({ connectionString: url });
  const channelOf = new Map<number, string>();
  client.on('notification', ({ channel, payload }) => {
    const message = JSON.parse(payload ?? '{}') as {
      observations?: Array<{ atMs: number }>;
      results?: unknown[][];
    };
    for (const each of message.observations ?? []) channelOf.set(each.atMs, channel);
    for (const each of message.results ?? []) channelOf.set(Number(each[5]), channel);
  });
  await client.connect();
  await client.query('LISTEN vigil_observations; LISTEN vigil_probe_digest');
  return { client, channelOf };
}

const probe = (atMs: number, health: 'healthy' | 'dead', replicaId = 'worker-1'): Observation => ({
  kind: 'probe',
  subject: { ...subject, replicaId },
  atMs,
  health,
  latencyMs: atMs % 100,
  ...(health === 'dead' && { reason: 'status 503' }),
});

test('a probe result that changes what its member told is news; one that repeats it goes in a digest', async () => {
  const a = member('a', 'zone-a');
  const b = member('b', 'zone-b');
  const listener = await channelListener();
  await Promise.all([a.relay.start(), b.relay.start()]);
  try {
    const sequence = [
      probe(1001, 'healthy'),
      probe(1002, 'healthy'),
      probe(1003, 'dead'),
      probe(1004, 'dead'),
    ];
    for (const observation of sequence) assert.equal(a.relay.sink.apply(observation), 'ok');
    // A change of share: the next result is news whatever it says.
    a.relay.shareChanged();
    sequence.push(probe(1005, 'dead'));
    a.relay.sink.apply(probe(1005, 'dead'));
    await waitUntil(() => b.applied.length === sequence.length, 10_000, 'every result on b');
    assert.deepEqual(
      b.applied.toSorted((x, y) => x.atMs - y.atMs),
      sequence.map((observation) => ({ ...observation, vantage: 'zone-a' })),
      'each result, from the digest too, with its latency, reason and vantage',
    );
    await waitUntil(() => listener.channelOf.size === sequence.length, 5000, 'the plain listener');
    assert.deepEqual(
      sequence.map((observation) => listener.channelOf.get(observation.atMs)),
      [
        'vigil_observations',
        'vigil_probe_digest',
        'vigil_observations',
        'vigil_probe_digest',
        'vigil_observations',
      ],
    );

    // Unreadable results are left out, the rest of their digest applied.
    const before = b.applied.length;
    await store.cluster.notify(
      'vigil_probe_digest',
      '{"from":"x","results":[["web","app","worker-2",0,5,2000],["web","app"],["web","app","worker-3",9,5,2001]]}',
    );
    await store.cluster.notify('vigil_probe_digest', '{"results":[]}');
    await waitUntil(() => b.warnings.length === 2, 10_000, 'two warnings');
    assert.deepEqual(b.applied.slice(before), [
      {
        kind: 'probe',
        subject: { ...subject, replicaId: 'worker-2' },
        atMs: 2000,
        health: 'healthy',
        latencyMs: 5,
      },
    ]);
    assert.match(b.warnings.join('\n'), /2 shared probe result\(s\) could not be read; ignored/);
    assert.match(b.warnings.join('\n'), /shared probe results could not be read; ignored/);
  } finally {
    await listener.client.end();
    await Promise.all([a.relay.stop(), b.relay.stop()]);
  }
});

test('a member that missed news while its connection was down catches up from the next digest', async () => {
  const a = member('a');
  const b = member('b');
  await Promise.all([a.relay.start(), b.relay.start()]);
  const admin = connect({ engine: 'postgres', url });
  const listening = async () =>
    Number(
      (
        await sql<{
          count: string;
        }>`select count(*) as count from pg_stat_activity where query ilike 'listen %'`.execute(admin)
      ).rows[0]?.count,
    );
  try {
    a.relay.sink.apply(probe(1001, 'healthy', 'worker-9'));
    await waitUntil(() => b.applied.length === 1, 10_000, 'the first result');
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen %'`.execute(
      admin,
    );
    // The replica dies while nobody listens: b misses the news.
    a.relay.sink.apply(probe(1002, 'dead', 'worker-9'));
    await sleep(300);
    await waitUntil(async () => (await listening()) === 2, 15_000, 'both members listening again');
    // The next round's result repeats the death: a digest, which b does hear.
    a.relay.sink.apply(probe(1003, 'dead', 'worker-9'));
    await waitUntil(() => b.applied.some((observation) => observation.atMs === 1003), 10_000, 'the digest');
    assert.deepEqual(
      b.applied.map((observation) => [observation.atMs, observation.kind === 'probe' && observation.health]),
      [
        [1001, 'healthy'],
        [1003, 'dead'],
      ],
    );
  } finally {
    await admin.destroy();
    await Promise.all([a.relay.stop(), b.relay.stop()]);
  }
});
