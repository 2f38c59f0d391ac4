import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import type { ClusterView } from '../../src/store/types.js';
import { AuthThrottle } from '../../src/web/auth-throttle.js';
import { ERROR_SCHEMA } from '../../src/web/errors.js';
import { clusterRoutes } from '../../src/web/routes/cluster.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { basicAuth } from '../helpers/server.js';

/** The cluster routes over a given view: the document's shape, the manager token, an unreadable database. */

const AT = Date.UTC(2026, 11, 4, 21, 40);
const VIEW: ClusterView = {
  nowMs: AT,
  members: [
    {
      instanceId: 'eu-1',
      vantage: 'eu-west',
      startedAtMs: AT - 60_000,
      heartbeatAtMs: AT - 1000,
      leaseMs: 10_000,
      alive: true,
    },
    {
      instanceId: 'us-1',
      vantage: 'us-east',
      startedAtMs: AT - 60_000,
      heartbeatAtMs: AT - 30_000,
      leaseMs: 10_000,
      alive: false,
    },
  ],
  leader: { instanceId: 'eu-1', token: 7, acquiredAtMs: AT - 50_000, leaseUntilMs: AT + 9000, current: true },
};

function app(view: () => Promise<ClusterView>) {
  const clock = new FakeClock(AT);
  // As buildApp does: Vigil's routes answer with and without a trailing slash.
  const server = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  // As buildApp does: error answers refer to the one error shape.
  server.addSchema(ERROR_SCHEMA);
  const throttle = new AuthThrottle({
    maxFailures: 20,
    windowMs: 60_000,
    clock,
    logger: { warn: () => {}, error: () => {} },
  });
  clusterRoutes(server, { cluster: { instanceId: 'eu-1', view }, managerToken: 'manager-secret', throttle });
  return server;
}

test('GET /api/v1/cluster: members with vantage, last heartbeat and liveness, and the leader', async () => {
  const server = app(async () => VIEW);
  const response = await server.inject({ url: '/api/v1/cluster' });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), {
    instance_id: 'eu-1',
    database_time: '2026-12-04T21:40:00.000Z',
    leader: {
      instance_id: 'eu-1',
      token: 7,
      since: '2026-12-04T21:39:10.000Z',
      lease_until: '2026-12-04T21:40:09.000Z',
      current: true,
    },
    members: [
      {
        instance_id: 'eu-1',
        vantage: 'eu-west',
        started_at: '2026-12-04T21:39:00.000Z',
        last_heartbeat: '2026-12-04T21:39:59.000Z',
        lease_seconds: 10,
        alive: true,
        leader: true,
        self: true,
      },
      {
        instance_id: 'us-1',
        vantage: 'us-east',
        started_at: '2026-12-04T21:39:00.000Z',
        last_heartbeat: '2026-12-04T21:39:30.000Z',
        lease_seconds: 10,
        alive: false,
        leader: false,
        self: false,
      },
    ],
  });
});

test('no leader yet: null, and nobody is marked leader', async () => {
  const { leader: _leader, ...withoutLeader } = VIEW;
  const response = await app(async () => withoutLeader).inject({ url: '/api/v1/cluster' });
  const body = response.json() as { leader: unknown; members: Array<{ leader: boolean }> };
  assert.equal(body.leader, null);
  assert.deepEqual(
    body.members.map((member) => member.leader),
    [false, false],
  );
});

test('GET /manager/cluster/ needs the manager token', async () => {
  const server = app(async () => VIEW);
  assert.equal((await server.inject({ url: '/manager/cluster/' })).statusCode, 401);
  const wrong = await server.inject({
    url: '/manager/cluster/',
    headers: { authorization: basicAuth('nope') },
  });
  assert.equal(wrong.statusCode, 403);
  const right = await server.inject({
    url: '/manager/cluster/',
    headers: { authorization: basicAuth('manager-secret') },
  });
  assert.equal(right.statusCode, 200);
  assert.equal((right.json() as { members: unknown[] }).members.length, 2);
});

test('a database that cannot be read: 503 with a JSON error', async () => {
  const response = await app(() => Promise.reject(new Error('connection refused'))).inject({
    url: '/api/v1/cluster',
  });
  assert.equal(response.statusCode, 503);
  assert.deepEqual(response.json(), { error: "the cluster's database cannot be read: connection refused" });
});
