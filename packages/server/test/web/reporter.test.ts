import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MIXED_PROBES } from '../helpers/config.js';
import { exchange } from '../helpers/http-exchange.js';
import { basicAuth, startTestServer } from '../helpers/server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** A raw HTTP request, so the exact bytes a reporter library sends are what the server gets. */
function send(
  server: Server,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
) {
  return exchange(server.port, path, { method, headers, body });
}

const TOKEN = 'reporter-secret';

/** Exactly what node-vigil-reporter sends (spec §10): empty user name, charset, Content-Length. */
function nodeReporterHeaders(body: string) {
  return {
    Authorization: basicAuth(TOKEN),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
  };
}

function report(server: Server, path: string, payload: unknown, headers: Record<string, string> = {}) {
  const body = JSON.stringify(payload);
  return send(server, 'POST', path, { ...nodeReporterHeaders(body), ...headers }, body);
}

describe('reporter API', () => {
  let server: Server;
  before(async () => {
    server = await startTestServer(MIXED_PROBES);
  });
  after(() => server.close());

  test('accepts the exact request of the Node Vigil Reporter and creates the replica', async () => {
    const body = JSON.stringify({ replica: 'host-1', interval: 30, load: { cpu: 0.42, ram: 0.61 } });
    const response = await send(server, 'POST', '/reporter/web/app/', nodeReporterHeaders(body), body);
    assert.equal(response.status, 200);
    assert.equal(response.body, '');
    assert.equal(response.headers['content-length'], '0');
    const replica = server.model.node('web', 'app')?.replicas.get('host-1');
    assert.deepEqual(replica?.load, { cpu: 0.42, ram: 0.61 });
    assert.equal(replica?.report?.intervalSeconds, 30);
  });

  test('accepts the exact request of Vigil Local and takes the reported health', async () => {
    const body = '{"replica":"icmp://10.0.0.1","health":"sick","interval":120}';
    const response = await send(
      server,
      'POST',
      '/reporter/internal/gateway/',
      {
        Authorization: basicAuth(TOKEN),
        'Content-Type': 'application/json',
        'Content-Length': String(body.length),
        'User-Agent': 'vigil-local/1.2.6',
      },
      body,
    );
    assert.equal(response.status, 200);
    assert.equal(server.model.node('internal', 'gateway')?.replicas.get('icmp://10.0.0.1')?.health, 'sick');
    assert.equal(
      (
        await send(server, 'DELETE', '/reporter/internal/gateway/icmp%3A%2F%2F10.0.0.1/', {
          Authorization: basicAuth(TOKEN),
        })
      ).status,
      200,
    );
  });

  test('ignores the user name, answers with and without a trailing slash, and collapses doubled slashes', async () => {
    const payload = { replica: 'host-2', interval: 30, load: { cpu: 0.1, ram: 0.1 } };
    assert.equal(
      (await report(server, '/reporter/web/app', payload, { Authorization: basicAuth(TOKEN, 'anyone') }))
        .status,
      200,
    );
    assert.equal((await report(server, '//reporter//web/app//', payload)).status, 200);
    assert.equal(
      (await send(server, 'DELETE', '/reporter/web/app/host-2', { Authorization: basicAuth(TOKEN) })).status,
      200,
    );
  });

  test('a load report wins over a health report in the same body', async () => {
    const response = await report(server, '/reporter/web/app/', {
      replica: 'both',
      interval: 30,
      health: 'dead',
      load: { cpu: 0.1, ram: 0.1 },
    });
    assert.equal(response.status, 200);
    assert.equal(server.model.node('web', 'app')?.replicas.get('both')?.health, 'healthy');
    await send(server, 'DELETE', '/reporter/web/app/both/', { Authorization: basicAuth(TOKEN) });
  });

  test('accepts any +json media type, as Vigil does', async () => {
    const response = await report(
      server,
      '/reporter/web/app/',
      { replica: 'vnd', interval: 30, load: { cpu: 0, ram: 0 } },
      {
        'Content-Type': 'application/vnd.vigil+json',
      },
    );
    assert.equal(response.status, 200);
    await send(server, 'DELETE', '/reporter/web/app/vnd/', { Authorization: basicAuth(TOKEN) });
  });

  test('flushes a replica id holding a slash when percent-encoded', async () => {
    await report(server, '/reporter/web/app/', { replica: 'pod/1', interval: 30, load: { cpu: 0, ram: 0 } });
    assert.ok(server.model.node('web', 'app')?.replicas.has('pod/1'));
    const response = await send(server, 'DELETE', '/reporter/web/app/pod%2F1/', {
      Authorization: basicAuth(TOKEN),
    });
    assert.equal(response.status, 200);
    assert.equal(server.model.node('web', 'app')?.replicas.has('pod/1'), false);
  });

  describe('bad requests get their documented status and change nothing', () => {
    const valid = { replica: 'intruder', interval: 30, load: { cpu: 0.5, ram: 0.5 } };
    const json = (payload: unknown) => JSON.stringify(payload);
    const cases: Array<{
      name: string;
      status: number;
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      challenge?: boolean;
    }> = [
      { name: 'no Authorization header', status: 401, headers: { Authorization: '' }, challenge: true },
      {
        name: 'a Bearer token instead of Basic',
        status: 401,
        headers: { Authorization: `Bearer ${TOKEN}` },
        challenge: true,
      },
      {
        name: 'Basic with invalid base64',
        status: 401,
        headers: { Authorization: 'Basic %%%' },
        challenge: true,
      },
      {
        name: 'the wrong token',
        status: 403,
        headers: { Authorization: basicAuth('guess') },
        challenge: true,
      },
      {
        name: 'the token as user name without a colon',
        status: 403,
        headers: { Authorization: `Basic ${Buffer.from(TOKEN).toString('base64')}` },
        challenge: true,
      },
      {
        name: 'the manager token',
        status: 403,
        headers: { Authorization: basicAuth('manager-secret') },
        challenge: true,
      },
      { name: 'malformed JSON', status: 400, body: '{"replica": "intruder", "interval": 30, "load": {' },
      { name: 'an empty body', status: 400, body: '' },
      { name: 'a JSON array', status: 400, body: '[]' },
      { name: 'a negative CPU load', status: 400, body: json({ ...valid, load: { cpu: -0.1, ram: 0.5 } }) },
      { name: 'a negative RAM load', status: 400, body: json({ ...valid, load: { cpu: 0.1, ram: -1 } }) },
      { name: 'a load without ram', status: 400, body: json({ ...valid, load: { cpu: 0.1 } }) },
      {
        name: 'a CPU load given as a string',
        status: 400,
        body: json({ ...valid, load: { cpu: '0.5', ram: 0.5 } }),
      },
      { name: 'a fractional interval', status: 400, body: json({ ...valid, interval: 30.5 }) },
      { name: 'a negative interval', status: 400, body: json({ ...valid, interval: -30 }) },
      { name: 'an interval given as a string', status: 400, body: json({ ...valid, interval: '30' }) },
      { name: 'no replica', status: 400, body: json({ interval: 30, load: { cpu: 0, ram: 0 } }) },
      { name: 'a numeric replica', status: 400, body: json({ ...valid, replica: 7 }) },
      { name: 'neither load nor health', status: 400, body: json({ replica: 'intruder', interval: 30 }) },
      // SQLite cannot store a lone surrogate, PostgreSQL neither a NUL nor an interval beyond bigint.
      { name: 'a replica with a lone surrogate', status: 400, body: json({ ...valid, replica: 'a\ud800' }) },
      { name: 'a replica with a NUL', status: 400, body: json({ ...valid, replica: 'a\u0000b' }) },
      { name: 'a replica with a line break', status: 400, body: json({ ...valid, replica: 'a\nb' }) },
      {
        name: 'a replica of 257 characters',
        status: 400,
        body: json({ ...valid, replica: 'é'.repeat(257) }),
      },
      {
        name: 'an interval of 1e20',
        status: 400,
        body: '{"replica":"intruder","interval":1e20,"load":{"cpu":0,"ram":0}}',
      },
      { name: 'an interval over a year', status: 400, body: json({ ...valid, interval: 31_536_001 }) },
      {
        name: 'an unknown health word',
        status: 400,
        path: '/reporter/internal/gateway/',
        body: json({ replica: 'intruder', interval: 30, health: 'fine' }),
      },
      { name: 'a text/plain body', status: 400, headers: { 'Content-Type': 'text/plain' } },
      { name: 'no Content-Type', status: 400, headers: { 'Content-Type': '' } },
      { name: 'a body over the limit', status: 413, body: json({ ...valid, replica: 'x'.repeat(70_000) }) },
      { name: 'an unknown node', status: 404, path: '/reporter/web/nope/' },
      { name: 'an unknown service', status: 404, path: '/reporter/nope/app/' },
      { name: 'a load report to a local node', status: 412, path: '/reporter/internal/gateway/' },
      { name: 'a load report to a poll node', status: 412, path: '/reporter/web/api/' },
      {
        name: 'a health report to a push node',
        status: 412,
        body: json({ replica: 'intruder', interval: 30, health: 'dead' }),
      },
      {
        name: 'a flush of an unknown replica',
        status: 404,
        method: 'DELETE',
        path: '/reporter/web/app/intruder/',
      },
      {
        name: 'a flush on a poll node',
        status: 412,
        method: 'DELETE',
        path: '/reporter/web/api/tcp%3A%2F%2F127.0.0.1%3A1/',
      },
      {
        name: 'a flush on an unknown node',
        status: 404,
        method: 'DELETE',
        path: '/reporter/web/nope/intruder/',
      },
      {
        name: 'a flush without credentials',
        status: 401,
        method: 'DELETE',
        path: '/reporter/web/app/host-1/',
        headers: { Authorization: '' },
        challenge: true,
      },
      {
        name: 'a GET (wrong method), even without credentials',
        status: 404,
        method: 'GET',
        path: '/reporter/web/app/',
        headers: { Authorization: '' },
      },
      { name: 'a PUT (wrong method)', status: 404, method: 'PUT' },
    ];

    for (const testCase of cases) {
      test(`${testCase.name} → ${testCase.status}`, async () => {
        const before = JSON.stringify(snapshot(server));
        const body = testCase.body ?? json(valid);
        const headers: Record<string, string> = { ...nodeReporterHeaders(String(body)), ...testCase.headers };
        for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name];
        if (Buffer.byteLength(body) !== Number(headers['Content-Length']))
          headers['Content-Length'] = String(Buffer.byteLength(body));
        const method = testCase.method ?? 'POST';
        const hasBody = method === 'POST' || method === 'PUT';
        if (!hasBody) {
          delete headers['Content-Length'];
          delete headers['Content-Type'];
        }
        const response = await send(
          server,
          method,
          testCase.path ?? '/reporter/web/app/',
          headers,
          hasBody ? body : undefined,
        );
        assert.equal(response.status, testCase.status);
        if (testCase.challenge)
          assert.equal(response.headers['www-authenticate'], 'Basic realm="Reporter Token"');
        if (response.status !== 200) {
          assert.match(String(response.headers['content-type']), /application\/json/);
          assert.equal(typeof JSON.parse(response.body).error, 'string');
        }
        assert.equal(JSON.stringify(snapshot(server)), before, 'state must not change');
      });
    }
  });
});

describe('reporter API bounds', () => {
  let server: Server;
  before(async () => {
    server = await startTestServer(MIXED_PROBES, { metrics: 'reported_replicas_max = 3' });
  });
  after(() => server.close());

  const flush = (path: string) => send(server, 'DELETE', path, { Authorization: basicAuth(TOKEN) });
  const load = { cpu: 0.1, ram: 0.1 };

  test('every replica id a report creates can be flushed, up to 256 characters of any script', async () => {
    // 256 astral characters are 512 UTF-16 units and 3 KB percent-encoded: Fastify's default stops at 100 units.
    for (const replica of ['r'.repeat(256), '😀'.repeat(256), 'é'.repeat(101), 'pod/α β?#%']) {
      assert.equal((await report(server, '/reporter/web/app/', { replica, interval: 30, load })).status, 200);
      assert.ok(server.model.node('web', 'app')?.replicas.has(replica));
      const response = await flush(`/reporter/web/app/${encodeURIComponent(replica)}/`);
      assert.equal(response.status, 200, `flush of a ${replica.length}-unit id: ${response.body}`);
      assert.equal(server.model.node('web', 'app')?.replicas.has(replica), false);
    }
  });

  test('the longest interval (a year) is accepted', async () => {
    const body = { replica: 'cron', interval: 31_536_000, health: 'healthy' };
    assert.equal((await report(server, '/reporter/internal/gateway/', body)).status, 200);
    assert.equal(
      server.model.node('internal', 'gateway')?.replicas.get('cron')?.report?.intervalSeconds,
      31_536_000,
    );
    server.observe.flush('internal', 'gateway', 'cron');
  });

  test('a refused id gets a 400 naming the field and what is allowed, never echoing the value', async () => {
    const cases: Array<[string, RegExp]> = [
      ['x'.repeat(300), /^body\/replica must have at most 256 characters, got 300$/],
      ['bell\u0007', /^body\/replica must be well-formed Unicode without control characters$/],
      ['\udc00', /^body\/replica must be well-formed Unicode without control characters$/],
      // Clients drop an empty segment and resolve dot segments: such a replica could never be flushed.
      ['', /^body\/replica must not be empty, "\." or "\.\.": no URL could name it to flush it$/],
      ['..', /^body\/replica must not be empty/],
    ];
    for (const [replica, message] of cases) {
      const response = await report(server, '/reporter/web/app/', { replica, interval: 30, load });
      assert.equal(response.status, 400);
      assert.match(JSON.parse(response.body).error, message);
    }
    const interval = await report(server, '/reporter/web/app/', { replica: 'a', interval: 1e20, load });
    assert.equal(interval.status, 400);
    assert.match(JSON.parse(interval.body).error, /^body\/interval must be <= 31536000$/);
  });

  test('a node holds at most reported_replicas_max replicas: the next new one gets 409, known ones still report', async () => {
    for (const replica of ['a', 'b', 'c']) {
      assert.equal((await report(server, '/reporter/web/app/', { replica, interval: 30, load })).status, 200);
    }
    const before = JSON.stringify(snapshot(server));
    const refused = await report(server, '/reporter/web/app/', { replica: 'd', interval: 30, load });
    assert.equal(refused.status, 409);
    assert.match(JSON.parse(refused.body).error, /web\/app already has 3 replicas.*reported_replicas_max/);
    assert.equal(JSON.stringify(snapshot(server)), before, 'state must not change');
    assert.equal(
      (await report(server, '/reporter/web/app/', { replica: 'a', interval: 60, load })).status,
      200,
    );
    // Other nodes have their own count, and a flush makes room.
    const local = { replica: 'd', interval: 30, health: 'healthy' };
    assert.equal((await report(server, '/reporter/internal/gateway/', local)).status, 200);
    assert.equal((await flush('/reporter/web/app/b/')).status, 200);
    assert.equal(
      (await report(server, '/reporter/web/app/', { replica: 'd', interval: 30, load })).status,
      200,
    );
    for (const replica of ['a', 'c', 'd']) server.observe.flush('web', 'app', replica);
    server.observe.flush('internal', 'gateway', 'd');
  });

  test('a poll node with more configured replicas than the bound still answers 412, not 409', async () => {
    const crowded = await startTestServer(MIXED_PROBES, { metrics: 'reported_replicas_max = 1' });
    try {
      const response = await report(crowded, '/reporter/web/api/', { replica: 'new', interval: 30, load });
      assert.equal(response.status, 412);
    } finally {
      await crowded.close();
    }
  });
});

function snapshot(server: Server) {
  return Array.from(server.model.services.values(), (service) => ({
    health: service.health,
    nodes: Array.from(service.nodes.values(), (node) => ({
      health: node.health,
      replicas: Array.from(node.replicas.values(), ({ id, health, load, report }) => ({
        id,
        health,
        load,
        report,
      })),
    })),
  }));
}
