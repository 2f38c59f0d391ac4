import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { DurableAnnouncements } from '../../src/announcements/durable.js';
import { HistoryReader } from '../../src/history/reader.js';
import { HealthModel } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { openStore } from '../../src/store/open.js';
import { Recorder } from '../../src/store/recorder.js';
import { retentionFrom } from '../../src/store/retention.js';
import type { Store } from '../../src/store/types.js';
import { apiClient } from '../helpers/api-contract.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor } from '../helpers/model.js';
import { buildTestApp } from '../helpers/server.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 2, 1);
const PROBES = `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "api"
label = "API"
mode = "poll"
reveal_replica_name = true
replicas = ["tcp://10.0.0.1:80"]
[[probe.service]]
id = "data"
label = "Data"
[[probe.service.node]]
id = "db"
label = "DB"
mode = "poll"
replicas = ["tcp://10.0.0.2:5432"]
[[probe.service.node]]
id = "cache"
label = "Cache"
mode = "poll"
replicas = ["tcp://10.0.0.3:6379"]
`;
const API = { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://10.0.0.1:80' };
const DB = { serviceId: 'data', nodeId: 'db', replicaId: 'tcp://10.0.0.2:5432' };
const CACHE = { serviceId: 'data', nodeId: 'cache', replicaId: 'tcp://10.0.0.3:6379' };

describe('public read API /api/v1', () => {
  const config = testConfig(PROBES);
  const clock = new FakeClock(T0);
  let folder: string;
  let store: Store;
  let recorder: Recorder;
  let api: ReturnType<typeof apiClient>;
  let close: () => Promise<void>;

  // Every answer is checked against the OpenAPI document the server serves.
  const get = async (path: string) => {
    const answer = await api.request(path);
    return { status: answer.status, body: answer.json() };
  };

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'vigil-api-'));
    store = await openStore({ engine: 'sqlite', path: join(folder, 'vigil.db') });
    const model = new HealthModel(
      buildTopology(config),
      { pushDelayDeadSeconds: 20, localDelayDeadSeconds: 40, pushCpuSickAbove: 0.9, pushRamSickAbove: 0.9 },
      clock,
    );
    const observe = sourcesFor(model, clock);
    recorder = await Recorder.start({
      store,
      model,
      clock,
      logger: pino({ level: 'silent' }),
      flushIntervalMs: 10_000,
      retention: retentionFrom(config.storage),
    });
    // Two days, probed every 30 minutes; the db node is dead from 06:00 to 07:00 on the second day,
    // the cache node from 12:00 to 12:30 on the first (its reason must stay private).
    while (clock.now() < T0 + 2 * DAY) {
      const at = clock.now();
      const dbDead = at >= T0 + DAY + 6 * HOUR && at < T0 + DAY + 7 * HOUR;
      const cacheDead = at === T0 + 12 * HOUR;
      observe.probe(API, { health: 'healthy', latencyMs: 12 });
      observe.probe(
        DB,
        dbDead
          ? { health: 'dead', latencyMs: 10_000, reason: 'timed out' }
          : { health: 'healthy', latencyMs: 3 },
      );
      observe.probe(
        CACHE,
        cacheDead
          ? { health: 'dead', latencyMs: 1, reason: 'refused 10.0.0.3' }
          : { health: 'healthy', latencyMs: 1 },
      );
      clock.advance(HOUR / 2);
      await recorder.flush();
    }
    observe.probe(DB, { health: 'sick', latencyMs: 900, reason: 'slow' });
    const announcements = await DurableAnnouncements.load(store.announcements, clock);
    await announcements.add({
      title: 'Upgrade',
      text: 'Tonight',
      severity: 'warning',
      expiresAtMs: T0 + 3 * DAY,
    });
    const app = buildTestApp({
      settings: config,
      model,
      clock,
      logger: pino({ level: 'silent' }),
      announcements,
      history: { history: new HistoryReader(store, clock, recorder.runId), incidents: store.incidents },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    api = apiClient(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    close = async () => {
      await app.close();
      await recorder.stop();
      await announcements.stop();
      model.stop();
    };
  });
  after(async () => {
    await close();
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('serves its OpenAPI document, which lists every route', async () => {
    const { status, body } = await get('/api/v1/openapi.json');
    assert.equal(status, 200);
    assert.equal(body.openapi, '3.1.0');
    const paths = Object.keys(body.paths as object).filter((path) => path.startsWith('/api/v1/'));
    assert.deepEqual(paths.sort(), [
      '/api/v1/announcements',
      '/api/v1/gaps',
      '/api/v1/incidents',
      '/api/v1/latency',
      '/api/v1/maintenance',
      '/api/v1/openapi.json',
      '/api/v1/status',
      '/api/v1/uptime',
    ]);
    for (const path of paths) assert.notEqual((await api.request(`${path}?service=web`)).status, 404, path);
  });

  test('status has ids, hides replica names and reasons unless the node reveals them', async () => {
    const { body } = await get('/api/v1/status');
    assert.equal(body.status, 'sick');
    const services = body.services as Array<{
      id: string;
      nodes: Array<{ id: string; replicas: unknown[] }>;
    }>;
    assert.deepEqual(
      services.map((service) => [service.id, service.nodes.map((node) => node.id)]),
      [
        ['web', ['api']],
        ['data', ['db', 'cache']],
      ],
    );
    assert.deepEqual(services[0]?.nodes[0]?.replicas[0], {
      id: 'tcp://10.0.0.1:80',
      status: 'healthy',
      since: new Date(T0).toISOString(),
      latency_ms: 12,
      reason: null,
    });
    assert.deepEqual(services[1]?.nodes[0]?.replicas[0], {
      id: null,
      status: 'sick',
      since: new Date(T0 + 2 * DAY).toISOString(),
      latency_ms: 900,
      reason: null,
    });
  });

  test('uptime per node and per service, over each window, in pages', async () => {
    const first = await get('/api/v1/uptime?window=7d&limit=2');
    assert.equal(first.status, 200);
    const items = first.body.items as Array<Record<string, unknown>>;
    assert.deepEqual(
      items.map((item) => [item.service, item.node, item.dead_seconds]),
      [
        ['web', 'api', 0],
        ['data', 'db', 3600],
      ],
    );
    assert.equal(items[1]?.uptime, Math.round((1 - 3600 / (2 * 86_400)) * 1e6) / 1e6);
    // 7d is 168 hour buckets with the open one; at midnight that one has just begun.
    assert.equal(items[1]?.coverage, Math.round(((2 * 86_400) / (167 * 3600)) * 1e6) / 1e6);
    const second = await get(`/api/v1/uptime?window=7d&limit=2&cursor=${first.body.next_cursor}`);
    assert.deepEqual(
      (second.body.items as Array<Record<string, unknown>>).map((item) => [item.node, item.dead_seconds]),
      [['cache', 1800]],
    );
    assert.equal(second.body.next_cursor, null);

    const services = await get('/api/v1/uptime?window=90d&kind=service&service=data');
    assert.deepEqual(
      (services.body.items as Array<Record<string, unknown>>).map((item) => [
        item.service,
        item.node,
        item.dead_seconds,
      ]),
      [['data', undefined, 5400]],
    );
  });

  test('uptime refuses bad parameters with 400 and an unknown service with 404', async () => {
    for (const query of [
      'window=1y',
      'kind=replica',
      'limit=0',
      'limit=1001',
      'limit=x',
      'cursor=%21%21',
      'cursor=bm90IGpzb24',
      'extra=1',
    ]) {
      assert.equal((await get(`/api/v1/uptime?${query}`)).status, 400, query);
    }
    assert.equal((await get('/api/v1/uptime?service=nowhere')).status, 404);
  });

  test('latency series of a node, a service and a revealed replica, bounded in points', async () => {
    const from = new Date(T0 + DAY + 5 * HOUR).toISOString();
    const to = new Date(T0 + DAY + 8 * HOUR).toISOString();
    const node = await get(`/api/v1/latency?service=data&node=db&from=${from}&to=${to}`);
    assert.equal(node.status, 200);
    assert.deepEqual(
      (node.body.points as Array<Record<string, unknown>>).map((point) => [
        point.t,
        point.p95_ms,
        point.dead_seconds,
      ]),
      [
        [from, 3, 0],
        [new Date(T0 + DAY + 6 * HOUR).toISOString(), 10_000, 3600],
        [new Date(T0 + DAY + 7 * HOUR).toISOString(), 3, 0],
      ],
    );
    const minutes = await get(
      `/api/v1/latency?service=web&node=api&replica=tcp://10.0.0.1:80&resolution=minute&from=${from}&to=${to}`,
    );
    assert.equal((minutes.body.points as unknown[]).length, 180);
    assert.equal((await get('/api/v1/latency?service=web&resolution=day')).status, 200);

    const day = (days: number) => new Date(T0 + days * DAY).toISOString();
    assert.equal(
      (await get(`/api/v1/latency?service=web&resolution=minute&from=${day(0)}&to=${day(2)}`)).status,
      400,
    );
    assert.equal((await get(`/api/v1/latency?service=web&from=${day(2)}&to=${day(1)}`)).status, 400);
    assert.equal((await get('/api/v1/latency?service=web&from=yesterday')).status, 400);
    assert.equal((await get('/api/v1/latency')).status, 400);
    assert.equal((await get('/api/v1/latency?service=web&node=nowhere')).status, 404);
    assert.equal((await get('/api/v1/latency?service=data&node=db&replica=tcp://10.0.0.2:5432')).status, 404);
  });

  test('incidents, newest first, in pages, with private replicas left out', async () => {
    const first = await get('/api/v1/incidents?scope=node&limit=2');
    const items = first.body.items as Array<Record<string, unknown>>;
    assert.deepEqual(
      items.map((item) => [
        item.node,
        item.started_at,
        item.ended_at,
        item.worst,
        item.replicas_affected,
        item.replicas,
      ]),
      [
        ['db', new Date(T0 + 2 * DAY).toISOString(), null, 'sick', 1, []],
        [
          'db',
          new Date(T0 + DAY + 6 * HOUR).toISOString(),
          new Date(T0 + DAY + 7 * HOUR).toISOString(),
          'dead',
          1,
          [],
        ],
      ],
    );
    const rest = await get(`/api/v1/incidents?scope=node&limit=2&cursor=${first.body.next_cursor}`);
    assert.deepEqual(
      (rest.body.items as Array<Record<string, unknown>>).map((item) => [item.node, item.reasons]),
      [['cache', []]],
    );
    assert.equal(rest.body.next_cursor, null);
    const open = await get('/api/v1/incidents?state=open');
    assert.deepEqual((open.body.items as Array<Record<string, unknown>>).map((item) => item.scope).sort(), [
      'node',
      'page',
    ]);
    for (const query of ['limit=101', 'state=gone', 'cursor=abc']) {
      assert.equal((await get(`/api/v1/incidents?${query}`)).status, 400, query);
    }
  });

  test('gaps and announcements', async () => {
    const gaps = await get(`/api/v1/gaps?from=${new Date(T0 - DAY).toISOString()}`);
    assert.deepEqual(gaps.body.gaps, [
      { from: new Date(T0 - DAY).toISOString(), to: new Date(T0).toISOString() },
    ]);
    assert.equal((await get(`/api/v1/gaps?from=${new Date(T0 - 900 * DAY).toISOString()}`)).status, 400);
    const { body } = await get('/api/v1/announcements');
    assert.deepEqual(
      (body.items as Array<Record<string, unknown>>).map((item) => [
        item.title,
        item.text,
        item.severity,
        item.expires_at,
      ]),
      [['Upgrade', 'Tonight', 'warning', new Date(T0 + 3 * DAY).toISOString()]],
    );
  });
});
