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
