import assert from 'node:assert/strict';
import { Agent, createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { HealthModel, healthModelSettings } from '../../src/model/health-model.js';
import { buildTopology } from '../../src/model/topology.js';
import { tokenVerdict } from '../../src/web/auth.js';
import { AuthThrottle } from '../../src/web/auth-throttle.js';
import { ReporterFastPath, requestIds } from '../../src/web/reporter-fast-path.js';
import { reportHandler } from '../../src/web/routes/report-handler.js';
import { MIXED_PROBES, testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { exchange } from '../helpers/http-exchange.js';
import { basicAuth, startTestServer } from '../helpers/server.js';

const TOKEN = 'reporter-secret';
const AUTH = basicAuth(TOKEN);
const JSON_TYPE = 'application/json; charset=utf-8';
const report = (replica: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ replica, interval: 30, load: { cpu: 0.1, ram: 0.2 }, ...extra });

interface Sent {
  method?: string;
  path?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  /** Sent in two chunks with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
  localAddress?: string;
}

const hasBody = (method: string) => method === 'POST' || method === 'PUT';

/** The request a reporter sends unless a case says otherwise; headers set to undefined are left out. */
function requestOf(sent: Sent) {
  const method = sent.method ?? 'POST';
  const body = hasBody(method) ? (sent.body ?? report('r1')) : '';
  const headers: Record<string, string> = {};
  const given = { authorization: AUTH, 'content-type': JSON_TYPE, ...sent.headers };
  for (const [name, value] of Object.entries(given)) if (value !== undefined) headers[name] = value;
  if (!sent.chunked && hasBody(method) && headers['content-length'] === undefined)
    headers['content-length'] = String(Buffer.byteLength(body));
  return { method, path: sent.path ?? '/reporter/web/app/', headers, body };
}

/** Sends over node:http on loopback; `chunked` bodies go in two writes without a Content-Length. */
function send(port: number, sent: Sent, agent?: Agent) {
  const { method, path, headers, body } = requestOf(sent);
  return new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>(
    (resolve, reject) => {
      const outgoing = request(
        { host: '127.0.0.1', port, method, path, headers, agent, localAddress: sent.localAddress },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
          );
        },
      );
      outgoing.on('error', reject);
      if (sent.chunked) {
        outgoing.write(body.slice(0, 10));
        outgoing.end(body.slice(10));
      } else outgoing.end(body);
    },
  );
}

describe('reporter fast path: what it takes and what it leaves to Fastify', () => {
  const clock = new FakeClock();
  const config = testConfig(MIXED_PROBES);
  const model = new HealthModel(buildTopology(config), healthModelSettings(config.metrics), clock);
  const throttle = new AuthThrottle({
    maxFailures: 2,
    windowMs: 60_000,
    clock,
    logger: pino({ level: 'silent' }),
  });
  const fastPath = new ReporterFastPath({
    report: reportHandler({ model, sink: model, clock, replicasPerNodeMax: () => 100 }),
    verdict: tokenVerdict(TOKEN, 'Reporter Token', throttle),
    logger: pino({ level: 'silent' }),
    requestId: requestIds(),
  });
  /** Stands in for Fastify: 599, and says whether the body came back through `replay` or was left unread. */
  const server = createServer((incoming, response) =>
    fastPath.handle(incoming, response, (handed, answer) => {
      const replayed = fastPath.replay(handed);
      const chunks: Buffer[] = [];
      const stream = replayed ?? handed;
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () =>
        answer
          .writeHead(599, { 'x-body': replayed ? 'replayed' : 'unread' })
          .end(Buffer.concat(chunks).toString()),
      );
    }),
  );
  let port = 0;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    model.stop();
    server.close();
  });

  test('a plain push or local report is answered by the fast path', async () => {
    for (const contentType of [JSON_TYPE, 'application/json', 'Application/JSON; Charset=UTF-8']) {
      const answer = await send(port, { headers: { 'content-type': contentType } });
      assert.equal(answer.status, 200, contentType);
      assert.equal(answer.body, '');
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.equal(answer.headers['content-length'], '0');
    }
    assert.equal((await send(port, { path: '/reporter/web/app' })).status, 200, 'without a trailing slash');
    const local = await send(port, {
      path: '/reporter/internal/gateway/',
      body: JSON.stringify({ replica: 'icmp://10.0.0.1', interval: 60, health: 'sick' }),
    });
    assert.equal(local.status, 200);
    assert.equal(model.node('internal', 'gateway')?.replicas.get('icmp://10.0.0.1')?.health, 'sick');
    // The model's refusals and the handler's own checks are answered too, in the one error shape.
    const unknown = await send(port, { path: '/reporter/web/nope/' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(unknown.body), { error: 'unknown probe, node or replica' });
    assert.equal((await send(port, { path: '/reporter/web/api/' })).status, 412);
    const badId = await send(port, { body: report('a\u0007') });
    assert.equal(badId.status, 400);
    assert.match(JSON.parse(badId.body).error, /^body\/replica must be well-formed Unicode/);
  });

  const handedUnread: Array<[string, Sent]> = [
    ['a GET', { method: 'GET' }],
    ['a HEAD', { method: 'HEAD' }],
    ['a PUT', { method: 'PUT' }],
    ['a DELETE (flushes stay on Fastify)', { method: 'DELETE', path: '/reporter/web/app/r1/' }],
    ['a chunked body', { chunked: true }],
    ['a Content-Length over the body limit', { body: report('x'.repeat(70_000)) }],
    ['an empty body', { body: '' }],
    ['a +json media type', { headers: { 'content-type': 'application/vnd.vigil+json' } }],
    ['another charset', { headers: { 'content-type': 'application/json; charset=latin1' } }],
    ['text/plain', { headers: { 'content-type': 'text/plain' } }],
    ['no Content-Type', { headers: { 'content-type': undefined } }],
    ['no Authorization', { headers: { authorization: undefined } }],
    ['the wrong token', { headers: { authorization: basicAuth('guess') } }],
    ['a doubled slash', { path: '//reporter/web/app/' }],
    ['two trailing slashes', { path: '/reporter/web/app//' }],
    ['a percent-encoded id', { path: '/reporter/w%65b/app/' }],
    ['bad percent-encoding', { path: '/reporter/web/%E0%A4%A/' }],
    ['a dot segment', { path: '/reporter/./app/' }],
    ['a query string', { path: '/reporter/web/app/?x=1' }],
    ['a third segment', { path: '/reporter/web/app/extra/' }],
    ['an upper-case prefix', { path: '/Reporter/web/app/' }],
    ['an absolute-form target', { path: 'http://127.0.0.1/reporter/web/app/' }],
  ];
  for (const [name, sent] of handedUnread) {
    test(`${name}: handed to Fastify before its body is read`, async () => {
      const answer = await send(port, sent);
      assert.equal(answer.status, 599);
      assert.equal(answer.headers['x-body'], 'unread');
      assert.equal(answer.body, requestOf(sent).body, 'Fastify gets the whole body');
    });
  }

  const handedWithBody: Array<[string, string]> = [
    ['malformed JSON', '{"replica": "r1", "interval": 30, "load": {'],
    ['a JSON array', '[]'],
    ['null', 'null'],
    ['an interval as a string', report('r1', { interval: '30' })],
    ['a fractional interval', report('r1', { interval: 30.5 })],
    ['an interval over a year', report('r1', { interval: 31_536_001 })],
    ['a negative load', report('r1', { load: { cpu: -1, ram: 0 } })],
    ['a load without ram', report('r1', { load: { cpu: 0.5 } })],
    ['a null load', report('r1', { load: null })],
    ['an unknown health word', JSON.stringify({ replica: 'r1', interval: 30, health: 'fine' })],
    ['a numeric replica', report('r1', { replica: 7 })],
    ['a __proto__ key', '{"replica":"r1","interval":30,"load":{"cpu":0,"ram":0},"__proto__":{"x":1}}'],
    ['a constructor key', '{"replica":"r1","interval":30,"load":{"cpu":0,"ram":0},"constructor":{}}'],
    ['a multi-byte body', report('é', { interval: '30' })],
  ];
  for (const [name, body] of handedWithBody) {
    test(`${name}: handed to Fastify with the body it read, byte for byte`, async () => {
      const answer = await send(port, { body });
      assert.equal(answer.status, 599);
      assert.equal(answer.headers['x-body'], 'replayed');
      assert.equal(answer.body, body);
    });
  }

  test('a throttled address is handed over even with the right token; another is not', async () => {
    for (let i = 0; i < 2; i++)
      throttle.recordFailure({ address: '127.0.0.5', method: 'POST', route: '/reporter/:probeId/:nodeId' });
    assert.equal((await send(port, { localAddress: '127.0.0.5' })).status, 599);
    assert.equal((await send(port, { localAddress: '127.0.0.6' })).status, 200);
  });

  test('once closing, every request is handed over', async () => {
    const closing = new ReporterFastPath({
      report: () => ({ status: 200 }),
      verdict: () => 'ok',
      logger: pino({ level: 'silent' }),
      requestId: requestIds(),
    });
    closing.close();
    const probe = createServer((incoming, response) =>
      closing.handle(incoming, response, (_handed, answer) => answer.writeHead(503).end()),
    );
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    try {
      assert.equal((await send((probe.address() as AddressInfo).port, {})).status, 503);
    } finally {
      probe.close();
    }
  });

  test('request ids are Fastify’s default form, one sequence', () => {
    const next = requestIds();
    assert.deepEqual([next(), next(), next()], ['req-1', 'req-2', 'req-3']);
  });
});

describe('reporter fast path answers exactly as the Fastify route', () => {
  const clock = new FakeClock();
  /** The real server, fast path in front, and a twin whose requests go through `inject` (Fastify alone). */
  let served: Awaited<ReturnType<typeof startTestServer>>;
  let injected: Awaited<ReturnType<typeof startTestServer>>;
  before(async () => {
    const options = { clock, metrics: 'reported_replicas_max = 3' };
    [served, injected] = await Promise.all([
      startTestServer(MIXED_PROBES, options),
      startTestServer(MIXED_PROBES, options),
    ]);
  });
  after(() => Promise.all([served.close(), injected.close()]));

  const state = (server: typeof served) =>
    JSON.stringify(
      Array.from(server.model.services.values(), (service) =>
        Array.from(service.nodes.values(), (node) => [
          node.health,
          Array.from(node.replicas.values(), ({ id, health, load, report }) => ({
            id,
            health,
            load,
            report,
          })),
        ]),
      ),
    );
  /** What both paths must agree on: everything but Date and the connection's own headers. */
  const COMPARED = [
    'content-type',
    'content-length',
    'x-content-type-options',
    'www-authenticate',
    'retry-after',
  ];
  const picked = (headers: Record<string, unknown>) =>
    Object.fromEntries(
      COMPARED.map((name) => [name, headers[name] === undefined ? undefined : String(headers[name])]),
    );

  const cases: Array<[string, Sent]> = [
    ['a push report', {}],
    [
      'a local report',
      {
        path: '/reporter/internal/gateway/',
        body: JSON.stringify({ replica: 'l', interval: 9, health: 'dead' }),
      },
    ],
    ['a repeated report', {}],
    ['a second replica', { body: report('r2', { load: { cpu: 0.9, ram: 0.95 } }) }],
    ['a third replica', { body: report('r3') }],
    ['one more than reported_replicas_max', { body: report('r4') }],
    ['a load and a health: the load wins', { body: report('r1', { health: 'dead' }) }],
    ['no load nor health', { body: JSON.stringify({ replica: 'r1', interval: 30 }) }],
    ['an unknown node', { path: '/reporter/web/nope/' }],
    ['a poll node', { path: '/reporter/web/api/' }],
    [
      'a health report to a push node',
      { body: JSON.stringify({ replica: 'r1', interval: 30, health: 'sick' }) },
    ],
    ['a replica id too long', { body: report('x'.repeat(257)) }],
    ['an empty replica id', { body: report('') }],
    ['a replica id with a line break', { body: report('a\nb') }],
    ['malformed JSON', { body: '{"replica"' }],
    ['an empty body', { body: '' }],
    ['null', { body: 'null' }],
    ['an interval as a string', { body: report('r1', { interval: '30' }) }],
    ['an interval over a year', { body: report('r1', { interval: 31_536_001 }) }],
    ['an interval of 1e400', { body: '{"replica":"r1","interval":1e400,"load":{"cpu":0,"ram":0}}' }],
    ['a load of 1e400', { body: '{"replica":"r1","interval":30,"load":{"cpu":1e400,"ram":0}}' }],
    ['a __proto__ key', { body: '{"replica":"r1","interval":30,"load":{"cpu":0,"ram":0},"__proto__":{}}' }],
    ['"constructor" in a value', { body: report('constructor') }],
    ['a body over the limit', { body: report('x'.repeat(70_000)) }],
    ['text/plain', { headers: { 'content-type': 'text/plain' } }],
    ['no Content-Type', { headers: { 'content-type': undefined } }],
    ['a +json media type', { headers: { 'content-type': 'application/problem+json' } }],
    ['no Authorization', { headers: { authorization: undefined } }],
    ['a Bearer token', { headers: { authorization: `Bearer ${TOKEN}` } }],
    ['the wrong token', { headers: { authorization: basicAuth('guess') } }],
    ['a GET', { method: 'GET' }],
    ['a HEAD', { method: 'HEAD' }],
    ['no trailing slash', { path: '/reporter/web/app' }],
    ['doubled slashes', { path: '//reporter//web/app//' }],
    ['a percent-encoded id', { path: '/reporter/w%65b/app/' }],
    ['bad percent-encoding', { path: '/reporter/web/%E0%A4%A/' }],
    ['a query string', { path: '/reporter/web/app/?x=1' }],
  ];

  for (const [name, sent] of cases) {
    test(name, async () => {
      const { method, path, headers, body } = requestOf(sent);
      const viaServer = await send(served.port, sent);
      const viaFastify = await injected.app.inject({
        method: method as 'POST',
        url: path,
        headers,
        ...(hasBody(method) ? { payload: body } : {}),
      });
      assert.equal(viaServer.status, viaFastify.statusCode);
      assert.equal(viaServer.body, viaFastify.body);
      assert.deepEqual(picked(viaServer.headers), picked(viaFastify.headers));
      assert.equal(state(served), state(injected), 'both models hold the same');
    });
  }
});

describe('reporter fast path over real connections', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const lines: Array<Record<string, unknown>> = [];
  before(async () => {
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    server = await startTestServer(MIXED_PROBES, { logger });
  });
  after(() => server.close());

  test('a chunked report is taken in by Fastify; a chunked body over the limit gets 413', async () => {
    assert.equal((await send(server.port, { chunked: true, body: report('chunked') })).status, 200);
    assert.ok(server.model.node('web', 'app')?.replicas.has('chunked'));
    const tooLarge = await send(server.port, { chunked: true, body: report('x'.repeat(70_000)) });
    assert.equal(tooLarge.status, 413);
    assert.equal(typeof JSON.parse(tooLarge.body).error, 'string');
    assert.equal(server.model.node('web', 'app')?.replicas.has('x'.repeat(70_000)), false);
  });

  test('one keep-alive connection carries fast, refused and handed-over requests in turn', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let connections = 0;
    const count = () => connections++;
    server.app.server.on('connection', count);
    try {
      const sequence: Array<[Sent, number]> = [
        [{ body: report('k1') }, 200],
        [{ headers: { authorization: basicAuth('guess') } }, 403],
        [{ body: report('k2') }, 200],
        [{ body: report('k3', { interval: '30' }) }, 400],
        [{ headers: { 'content-type': 'application/vnd.x+json' }, body: report('k4') }, 200],
        [{ path: '/reporter/web/nope/' }, 404],
        [{ body: report('k5') }, 200],
      ];
      for (const [sent, status] of sequence)
        assert.equal((await send(server.port, sent, agent)).status, status);
      assert.equal(connections, 1, 'every answer left the connection open');
      for (const replica of ['k1', 'k2', 'k4', 'k5'])
        assert.ok(server.model.node('web', 'app')?.replicas.has(replica));
    } finally {
      server.app.server.off('connection', count);
      agent.destroy();
    }
  });

  test('pipelined requests are answered in order, whichever path answers each', async () => {
    const { connect } = await import('node:net');
    const raw = (body: string, contentType = JSON_TYPE) =>
      `POST /reporter/web/app/ HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: ${contentType}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const text = await new Promise<string>((resolve) => {
      let received = '';
      const socket = connect(server.port, '127.0.0.1', () =>
        socket.write(
          raw(report('p1', { interval: '30' })) +
            raw(report('p2')) +
            raw(report('p3'), 'application/vnd.x+json') +
            raw(report('p4')),
        ),
      );
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString();
        if ((received.match(/HTTP\/1\.1 /g) ?? []).length === 4) {
          socket.destroy();
          resolve(received);
        }
      });
    });
    assert.deepEqual(
      Array.from(text.matchAll(/HTTP\/1\.1 (\d+)/g), (match) => Number(match[1])),
      [400, 200, 200, 200],
    );
    for (const replica of ['p2', 'p3', 'p4'])
      assert.ok(server.model.node('web', 'app')?.replicas.has(replica));
  });

  test('a client gone in the middle of its body changes nothing and the server goes on', async () => {
    const { connect } = await import('node:net');
    const body = report('half');
    await new Promise<void>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write(
          `POST /reporter/web/app/ HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: ${JSON_TYPE}\r\n` +
            `Content-Length: ${body.length}\r\n\r\n${body.slice(0, 20)}`,
          () => {
            socket.destroy();
            resolve();
          },
        );
      });
    });
    assert.equal((await send(server.port, { body: report('after') })).status, 200);
    assert.equal(server.model.node('web', 'app')?.replicas.has('half'), false);
  });

  test('the debug line per report is the route’s, with a request id from Fastify’s sequence', async () => {
    lines.length = 0;
    await send(server.port, { body: report('logged') });
    await send(server.port, {
      body: report('logged'),
      headers: { 'content-type': 'application/vnd.x+json' },
    });
    const reports = lines.filter((line) => String(line.msg).startsWith('report for'));
    assert.deepEqual(
      reports.map((line) => line.msg),
      [
        'report for web:app:logged (push, cpu 0.1, ram 0.2, every 30 s): ok',
        'report for web:app:logged (push, cpu 0.1, ram 0.2, every 30 s): ok',
      ],
    );
    const ids = reports.map((line) => String(line.reqId));
    assert.match(ids[0] ?? '', /^req-[0-9a-z]+$/);
    assert.match(ids[1] ?? '', /^req-[0-9a-z]+$/);
    assert.notEqual(ids[0], ids[1]);
  });

  test('GET and HEAD on the report path are 404, as before', async () => {
    for (const method of ['GET', 'HEAD']) {
      const answer = await exchange(server.port, '/reporter/web/app/', {
        method,
        headers: { Authorization: AUTH },
      });
      assert.equal(answer.status, 404, method);
    }
  });
});
