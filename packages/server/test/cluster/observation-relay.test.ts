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

function member(instanceId: string) {
  const applied: Observation[] = [];
  const warnings: string[] = [];
  const relay = new ObservationRelay({
    url,
    instanceId,
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
