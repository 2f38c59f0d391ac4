import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { RunningVigil } from '../../src/main.js';
import { type ApiContract, apiClient } from '../helpers/api-contract.js';
import { exchange } from '../helpers/http-exchange.js';
import { basicAuth } from '../helpers/server.js';
import { REPORTED_PROBES } from '../helpers/store-vigil.js';
import { startFullVigil } from '../helpers/vigil.js';

const MANAGER = basicAuth('manager-secret');
const REPORTER = basicAuth('reporter-secret');
const JSON_BODY = { 'Content-Type': 'application/json' };
const ERROR_REF = '#/components/schemas/Error';
const API_PREFIXES = ['/api/v1/', '/manager/', '/reporter/'];
const SITE = 'https://intranet.example.com';

interface Call {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
}

const portOf = (vigil: RunningVigil) => Number(new URL(vigil.url).port);

/** Sends bytes as they are (no client library would send these) and reads the answer to the end. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.on('error', reject);
    socket.end(bytes);
  });
}

/** Status line, content type and body of a raw HTTP/1.1 answer. */
function parseRaw(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n', 2);
  const status = Number(head.split(' ', 2)[1]);
  const contentType = /^content-type: *(.*)$/im.exec(head)?.[1] ?? '';
  return { status, contentType, body };
}

describe('the OpenAPI document and the one error shape', () => {
  let vigil: RunningVigil;
  let contract: ApiContract;

  before(async () => {
    vigil = await startFullVigil(`\n[probe]\n${REPORTED_PROBES}`);
    contract = await apiClient(vigil.url).contract();
  });
  after(() => vigil.stop());

  test('is valid OpenAPI 3.1 and documents every API route: its answers, its errors, its auth', () => {
    const { paths } = contract.document as unknown as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const operations = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    // Vigil's protocols and the public API are all there (routes added later appear by themselves).
    const listed = new Set(operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`));
    for (const expected of [
      'POST /reporter/{probeId}/{nodeId}',
      'DELETE /reporter/{probeId}/{nodeId}/{replicaId}',
      'GET /manager/announcements',
      'POST /manager/announcement',
      'DELETE /manager/announcement/{announcementId}',
      'GET /manager/prober/alerts',
      'GET /manager/prober/alerts/ignored',
      'PUT /manager/prober/alerts/ignored',
      'GET /manager/notifications',
      'GET /api/v1/status',
      'GET /api/v1/uptime',
      'GET /api/v1/openapi.json',
    ]) {
      assert.ok(listed.has(expected), `${expected} is documented`);
    }
    for (const { path, method, operation } of operations) {
      const what = `${method.toUpperCase()} ${path}`;
      assert.ok(
        API_PREFIXES.some((prefix) => path.startsWith(prefix)),
        `${what}: only the APIs are documented`,
      );
      assert.equal(typeof operation.summary, 'string', `${what} has a summary`);
      const responses = operation.responses as Record<string, { description: string; content?: unknown }>;
      assert.ok(
        Object.keys(responses).some((status) => status.startsWith('2')),
        `${what} documents its success`,
      );
      for (const [status, response] of Object.entries(responses)) {
        // What @fastify/swagger writes for a route without a response schema.
        assert.notEqual(response.description, 'Default Response', `${what} ${status} has a schema`);
        if (Number(status) >= 400) {
          assert.deepEqual(
            response.content,
            { 'application/json': { schema: { $ref: ERROR_REF } } },
            `${what} ${status} is the one error shape`,
          );
        }
      }
      if (!path.startsWith('/api/v1/')) {
        assert.equal(operation.security === undefined, false, `${what} names its token`);
        for (const status of ['401', '403', '429'])
          assert.ok(responses[status], `${what} documents ${status}`);
      }
    }
  });

  test('every error, whoever answers it, is the one shape and is documented', async () => {
    const report = (path: string, body: string, status: number, contentType = 'application/json') => ({
      method: 'POST',
      path,
      headers: { Authorization: REPORTER, 'Content-Type': contentType },
      body,
      status,
    });
    const load = '"interval":30,"load":{"cpu":0,"ram":0}';
    const calls: Call[] = [
      // The reporter: auth, Fastify's validation, the model's outcomes, the body limit.
      { method: 'POST', path: '/reporter/web/app', status: 401 },
      {
        method: 'POST',
        path: '/reporter/web/app',
        headers: { Authorization: basicAuth('wrong') },
        status: 403,
      },
      report('/reporter/web/app', '{', 400),
      report('/reporter/web/app', 'x', 400, 'text/plain'),
      report('/reporter/web/app', '{"replica":"a"}', 400),
      report('/reporter/web/nope', `{"replica":"a",${load}}`, 404),
      report('/reporter/web/app', '{"replica":"a","interval":30,"health":"healthy"}', 412),
      report('/reporter/web/app', JSON.stringify({ replica: 'a'.repeat(70_000), interval: 30 }), 413),
      {
        method: 'DELETE',
        path: '/reporter/web/app/unknown',
        headers: { Authorization: REPORTER },
        status: 404,
      },
      // The manager.
      { path: '/manager/announcements', status: 401 },
      {
        method: 'POST',
        path: '/manager/announcement',
        headers: { Authorization: MANAGER, ...JSON_BODY },
        body: '{"title":""}',
        status: 400,
      },
      {
        method: 'DELETE',
        path: '/manager/announcement/unknown',
        headers: { Authorization: MANAGER },
        status: 404,
      },
      { path: '/manager/notifications?cursor=bm9wZQ', headers: { Authorization: MANAGER }, status: 400 },
      // The public API.
      { path: '/api/v1/uptime?window=1y', status: 400 },
      { path: '/api/v1/uptime?service=nope', status: 404 },
      { path: '/api/v1/latency', status: 400 },
      // No route: an unknown path, a method a path does not take, a malformed URL.
      { path: '/nowhere', status: 404 },
      { method: 'DELETE', path: '/api/v1/status', status: 404 },
      { path: '/api/v1/%zz', status: 400 },
    ];
    for (const { method = 'GET', path, headers, body, status } of calls) {
      const answer = await exchange(portOf(vigil), path, { method, headers, body });
      assert.equal(answer.status, status, `${method} ${path}: ${answer.body}`);
      const contentType = String(answer.headers['content-type'] ?? '');
      assert.deepEqual(contract.problems(method, path, answer.status, contentType, answer.body), []);
    }
  });

  test("Node's HTTP parser errors are the one shape too", async () => {
    const port = portOf(vigil);
    const malformed = parseRaw(await rawExchange(port, 'GET / HTTP/1.1\r\nHost\r\n\r\n'));
    const oversized = parseRaw(
      await rawExchange(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`),
    );
    assert.equal(malformed.status, 400);
    assert.equal(oversized.status, 431);
    for (const { status, contentType, body } of [malformed, oversized]) {
      assert.deepEqual(contract.problems('GET', '/', status, contentType, body), []);
    }
  });
});

describe('cross-origin reads of /api/v1 ([server] api_cors_origins)', () => {
  const withOrigins = (origins: string) =>
    startFullVigil(`\n[probe]\n${REPORTED_PROBES}`, `api_cors_origins = ${origins}`);

  test('by default any site reads GET and HEAD /api/v1; never the manager or reporter APIs', async (t) => {
    const vigil = await startFullVigil(`\n[probe]\n${REPORTED_PROBES}`);
    t.after(() => vigil.stop());
    const api = apiClient(vigil.url);
    const headers = { Origin: 'https://elsewhere.example' };
    for (const method of ['GET', 'HEAD']) {
      const answer = await api.request('/api/v1/status', { method, headers });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('access-control-allow-origin'), '*', method);
    }
    // Errors of the public API are readable too, so a page can show why.
    assert.equal(
      (await api.request('/api/v1/uptime?window=1y', { headers })).headers.get('access-control-allow-origin'),
      '*',
    );

    const preflight = await api.request('/api/v1/uptime', {
      method: 'OPTIONS',
      headers: {
        ...headers,
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'if-none-match',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET, HEAD');
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'if-none-match');

    const privateCalls = [
      {
        path: '/manager/announcements',
        init: { headers: { ...headers, Authorization: MANAGER } },
        status: 200,
      },
      {
        path: '/reporter/web/app',
        init: {
          method: 'POST',
          headers: { ...headers, Authorization: REPORTER, ...JSON_BODY },
          body: '{"replica":"a","interval":30,"load":{"cpu":0,"ram":0}}',
        },
        status: 200,
      },
      {
        path: '/manager/announcements',
        init: { method: 'OPTIONS', headers: { ...headers, 'Access-Control-Request-Method': 'GET' } },
        status: 404,
      },
      {
        path: '/reporter/web/app',
        init: { method: 'OPTIONS', headers: { ...headers, 'Access-Control-Request-Method': 'POST' } },
        status: 404,
      },
    ];
    for (const { path, init, status } of privateCalls) {
      const answer = await api.request(path, init);
      assert.equal(answer.status, status, `${init.method ?? 'GET'} ${path}`);
      assert.equal(
        answer.headers.get('access-control-allow-origin'),
        null,
        `${init.method ?? 'GET'} ${path}`,
      );
    }
  });

  test('a list lets only its origins read, and says the answer varies by origin', async (t) => {
    const vigil = await withOrigins(`["${SITE}", "http://localhost:3000"]`);
    t.after(() => vigil.stop());
    const api = apiClient(vigil.url);
    const allowed = await api.request('/api/v1/status', { headers: { Origin: SITE } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), SITE);
    assert.equal(allowed.headers.get('vary'), 'Origin');
    const other = await api.request('/api/v1/status', { headers: { Origin: 'https://elsewhere.example' } });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.equal(other.headers.get('vary'), 'Origin');
    const preflight = await api.request('/api/v1/status', {
      method: 'OPTIONS',
      headers: { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.equal(preflight.headers.get('access-control-allow-methods'), null);
  });

  test('an empty list turns cross-origin reads off', async (t) => {
    const vigil = await withOrigins('[]');
    t.after(() => vigil.stop());
    const api = apiClient(vigil.url);
    const headers = { Origin: SITE, 'Access-Control-Request-Method': 'GET' };
    assert.equal(
      (await api.request('/api/v1/status', { headers })).headers.get('access-control-allow-origin'),
      null,
    );
    const preflight = await api.request('/api/v1/status', { method: 'OPTIONS', headers });
    assert.equal(preflight.status, 404);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });
});
