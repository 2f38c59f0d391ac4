import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HttpTarget } from '../../src/probes/http.js';
import { httpProbe, withCacheBuster } from '../../src/probes/http.js';
import { waitUntil } from '../helpers/wait.js';
import { closedPort, running, type Served, serve } from './loopback.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

const seen: Seen[] = [];

async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of request) body += chunk;
  seen.push({ method: request.method, url: request.url, headers: request.headers, body });
  const path = request.url?.split('?')[0];
  if (path === '/moved') response.writeHead(301, { Location: '/ok' }).end();
  else if (path === '/down') response.writeHead(503).end('maintenance');
  else if (path === '/hang')
    return; // never answers
  else if (path === '/trickle')
    response.writeHead(200).write('partial…'); // body never ends
  else if (path === '/reset') request.socket.destroy();
  else if (path === '/big') response.end(`HEAD-MARK${'.'.repeat(2 * 1024 * 1024)}TAIL-MARK`);
  else if (path === '/slow') setTimeout(() => response.end('late'), 150);
  else response.writeHead(200, { 'Content-Type': 'text/plain' }).end('all systems operational');
}

function target(url: string, options: Partial<HttpTarget> = {}): HttpTarget {
  return {
    kind: 'http',
    url,
    method: 'HEAD',
    headers: {},
    statusHealthyAbove: 200,
    statusHealthyBelow: 400,
    cacheBuster: false,
    ...options,
  };
}

const check = (t: HttpTarget, timeoutMs = 2000, signal = running) =>
  httpProbe.check(t, { timeoutMs, signal });

let plain: Served;
let base: string;

before(async () => {
  plain = await serve(createServer((request, response) => void route(request, response)));
  base = `http://127.0.0.1:${plain.port}`;
});
after(() => plain.close());

describe('http probe: status', () => {
  test('200 is healthy, with a latency and no reason', async () => {
    const result = await check(target(`${base}/ok`));
    assert.equal(result.health, 'healthy');
    assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs >= 0);
    assert.equal(result.reason, undefined);
  });

  test('a redirect is judged by its own status, not followed', async () => {
    seen.length = 0;
    assert.equal((await check(target(`${base}/moved`))).health, 'healthy');
    assert.deepEqual(
      seen.map((request) => request.url),
      ['/moved'],
    );
    const strict = await check(target(`${base}/moved`, { statusHealthyBelow: 300 }));
    assert.equal(strict.health, 'dead');
    assert.equal(strict.reason, 'status 301');
  });

  test('503 is dead with its status as reason and keeps the latency', async () => {
    const result = await check(target(`${base}/down`));
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, 'status 503');
    assert.ok(result.latencyMs >= 0);
  });

  test('latency covers the wait for the response', async () => {
    const result = await check(target(`${base}/slow`));
    assert.equal(result.health, 'healthy');
    assert.ok(result.latencyMs >= 140, `latency ${result.latencyMs}`);
  });
});

describe('http probe: request', () => {
  test('HEAD and GET carry no body, no Content-Type and no Accept-Encoding', async () => {
    seen.length = 0;
    await check(target(`${base}/ok`, { method: 'HEAD', body: 'ignored' }));
    await check(target(`${base}/ok`, { method: 'GET', body: 'ignored' }));
    assert.deepEqual(
      seen.map(({ method, body }) => [method, body]),
      [
        ['HEAD', ''],
        ['GET', ''],
      ],
    );
    for (const { headers } of seen) {
      assert.equal(headers['content-type'], undefined);
      assert.equal(headers['accept-encoding'], undefined);
    }
  });

  test('POST, PUT and PATCH send the body, or an empty one, without adding a Content-Type', async () => {
    seen.length = 0;
    await check(target(`${base}/ok`, { method: 'POST', body: '{"ping":true}' }));
    await check(target(`${base}/ok`, { method: 'PUT' }));
    await check(target(`${base}/ok`, { method: 'PATCH', body: 'x' }));
    assert.deepEqual(
      seen.map(({ method, body, headers }) => [method, body, headers['content-length']]),
      [
        ['POST', '{"ping":true}', '13'],
        ['PUT', '', '0'],
        ['PATCH', 'x', '1'],
      ],
    );
    assert.ok(seen.every(({ headers }) => headers['content-type'] === undefined));
  });

  test('headers are sent as given, so a node User-Agent replaces the default', async () => {
    seen.length = 0;
    const headers = { 'User-Agent': 'custom-agent/1.0', Accept: '*/*', 'X-Token': 'secret' };
    await check(target(`${base}/ok`, { headers }));
    const [request] = seen;
    assert.equal(request?.headers['user-agent'], 'custom-agent/1.0');
    assert.equal(request?.headers.accept, '*/*');
    assert.equal(request?.headers['x-token'], 'secret');
  });

  test('the cache-buster appends the Unix time in seconds with ? or &', async () => {
    seen.length = 0;
    const before = Math.floor(Date.now() / 1000);
    await check(target(`${base}/ok`, { cacheBuster: true }));
    await check(target(`${base}/ok?token=1`, { cacheBuster: true }));
    await check(target(`${base}/ok#section`, { cacheBuster: true }));
    await check(target(`${base}/ok`));
    const after = Math.floor(Date.now() / 1000);
    const urls = seen.map((request) => request.url ?? '');
    assert.match(urls[0] ?? '', /^\/ok\?\d+$/);
    assert.match(urls[1] ?? '', /^\/ok\?token=1&\d+$/);
    assert.match(urls[2] ?? '', /^\/ok\?\d+$/);
    assert.equal(urls[3], '/ok');
    const stamp = Number(urls[0]?.split('?')[1]);
    assert.ok(stamp >= before && stamp <= after);
  });

  test('withCacheBuster drops the fragment before looking for ?', () => {
    const now = 1_706_981_612_345;
    assert.equal(withCacheBuster('https://x/health', now), 'https://x/health?1706981612');
    assert.equal(withCacheBuster('https://x/?a=1', now), 'https://x/?a=1&1706981612');
    assert.equal(withCacheBuster('https://x/#a?b', now), 'https://x/?1706981612');
    assert.equal(withCacheBuster('https://x/?a#frag', now), 'https://x/?a&1706981612');
  });
});

describe('http probe: body match', () => {
  test('a body that contains a match is healthy (unanchored search)', async () => {
    const result = await check(target(`${base}/ok`, { method: 'GET', bodyMatch: /systems operational/ }));
    assert.equal(result.health, 'healthy');
  });

  test('a body without a match is dead', async () => {
    const result = await check(target(`${base}/ok`, { method: 'GET', bodyMatch: /^outage$/ }));
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, 'body does not match /^outage$/');
  });

  test('a global regex gives the same answer on every check', async () => {
    const t = target(`${base}/ok`, { method: 'GET', bodyMatch: /operational/g });
    for (let i = 0; i < 3; i++) assert.equal((await check(t)).health, 'healthy');
  });

  test('only the first MiB of a large body is searched', async () => {
    const head = await check(target(`${base}/big`, { method: 'GET', bodyMatch: /HEAD-MARK/ }));
    assert.equal(head.health, 'healthy');
    const tail = await check(target(`${base}/big`, { method: 'GET', bodyMatch: /TAIL-MARK/ }));
    assert.equal(tail.reason, 'body does not match /TAIL-MARK/');
  });

  test('a failing status is dead before the body is looked at', async () => {
    const result = await check(target(`${base}/down`, { method: 'GET', bodyMatch: /maintenance/ }));
    assert.equal(result.reason, 'status 503');
  });
});

describe('http probe: connections', () => {
  test('every check opens a connection of its own and closes it, read or not', async () => {
    let opened = 0;
    let closed = 0;
    const server = createServer((request, response) => void route(request, response));
    server.on('connection', (socket) => {
      opened++;
      socket.once('close', () => closed++);
    });
    const counted = await serve(server);
    try {
      const at = (path: string) => `http://127.0.0.1:${counted.port}${path}`;
      const results = [
        await check(target(at('/ok'))),
        await check(target(at('/ok'))),
        // A body left unread, and one that never ends: the connection is dropped all the same.
        await check(target(at('/ok'), { method: 'GET' })),
        await check(target(at('/trickle'), { method: 'GET' })),
        await check(target(at('/ok'), { method: 'GET', bodyMatch: /operational/ })),
      ];
      assert.deepEqual(
        results.map((result) => result.health),
        ['healthy', 'healthy', 'healthy', 'healthy', 'healthy'],
      );
      assert.equal(opened, 5);
      await waitUntil(() => closed === 5, 2000, 'the probe to close its connections', 10);
    } finally {
      await counted.close();
    }
  });
});

describe('http probe: addresses', () => {
  test('an IPv6 literal is connected to, and the Host header keeps its brackets', async () => {
    const served = await serve(
      createServer((request, response) => void route(request, response)),
      '::1',
    );
    try {
      seen.length = 0;
      const result = await check(target(`http://[::1]:${served.port}/ok`));
      assert.equal(result.health, 'healthy');
      assert.equal(seen[0]?.headers.host, `[::1]:${served.port}`);
    } finally {
      await served.close();
    }
  });

  test('a host name is looked up and connected to, and the Host header names it', async () => {
    seen.length = 0;
    const result = await check(target(`http://localhost:${plain.port}/ok`));
    assert.equal(result.health, 'healthy');
    assert.equal(seen[0]?.headers.host, `localhost:${plain.port}`);
  });

  test('with a local address (a cluster member’s source_address), the request comes from it', async () => {
    const from: Array<string | undefined> = [];
    const served = await serve(
      createServer((request, response) => {
        from.push(request.socket.remoteAddress);
        response.end();
      }),
    );
    try {
      const result = await httpProbe.check(target(`http://127.0.0.1:${served.port}/`), {
        timeoutMs: 2000,
        signal: running,
        localAddress: '127.0.0.2',
      });
      assert.equal(result.health, 'healthy');
      assert.deepEqual(from, ['127.0.0.2']);
    } finally {
      await served.close();
    }
  });

  test('each request asks for its connection to be closed, never kept alive', async () => {
    seen.length = 0;
    await check(target(`${base}/ok`));
    assert.equal(seen[0]?.headers.connection, 'close');
    assert.equal(seen[0]?.headers.host, `127.0.0.1:${plain.port}`);
  });
});

describe('http probe: failures', () => {
  test('the timeout covers waiting for the response head', async () => {
    const result = await check(target(`${base}/hang`), 300);
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, 'timed out after 0.3 s');
    assert.ok(result.latencyMs >= 290 && result.latencyMs < 2000, `latency ${result.latencyMs}`);
  });

  test('the timeout covers reading the body', async () => {
    const result = await check(target(`${base}/trickle`, { method: 'GET', bodyMatch: /done/ }), 300);
    assert.equal(result.reason, 'timed out after 0.3 s');
  });

  test('a refused connection is dead', async () => {
    const result = await check(target(`http://127.0.0.1:${await closedPort()}/`));
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, 'connection refused');
  });

  test('a server that drops the connection is dead', async () => {
    const result = await check(target(`${base}/reset`));
    assert.equal(result.reason, 'connection closed without a response');
  });

  test('aborting the signal stops the check at once', async () => {
    const controller = new AbortController();
    const pending = check(target(`${base}/hang`), 10_000, controller.signal);
    setTimeout(() => controller.abort(), 50);
    const result = await pending;
    assert.equal(result.reason, 'aborted');
    assert.ok(result.latencyMs < 1000);
  });

  test('a malformed URL is a dead result, not an exception', async () => {
    const result = await check(target('http://exa mple/'));
    assert.equal(result.health, 'dead');
    assert.match(result.reason ?? '', /Invalid URL/);
  });
});

describe('http probe: TLS', () => {
  const fixtures = new URL('../fixtures/tls/', import.meta.url);
  let dir: string;
  let trusted: Served;
  let selfSigned: Served;

  before(async () => {
    const ok = (_: IncomingMessage, response: ServerResponse) => response.end('ok');
    trusted = await serve(
      createHttpsServer(
        {
          cert: readFileSync(new URL('server.pem', fixtures)),
          key: readFileSync(new URL('server.key', fixtures)),
        },
        ok,
      ),
    );
    dir = mkdtempSync(join(tmpdir(), 'vigil-tls-'));
    // A certificate nobody vouches for, made fresh so it can never be in a trust store.
    execFileSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    selfSigned = await serve(
      createHttpsServer(
        { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) },
        ok,
      ),
    );
  });
  after(async () => {
    await trusted.close();
    await selfSigned.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a certificate from a trusted CA (NODE_EXTRA_CA_CERTS) is healthy', async () => {
    const result = await check(target(`https://127.0.0.1:${trusted.port}/`));
    assert.equal(result.health, 'healthy', result.reason);
  });

  test('a self-signed certificate is dead, with no way to skip verification', async () => {
    const result = await check(target(`https://127.0.0.1:${selfSigned.port}/`));
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, 'TLS: self-signed certificate');
  });

  test('a certificate for another name is dead', async () => {
    // 127.0.0.2 is loopback too, but not in the test certificate.
    const other = await serve(
      createHttpsServer(
        {
          cert: readFileSync(new URL('server.pem', fixtures)),
          key: readFileSync(new URL('server.key', fixtures)),
        },
        (_, response) => response.end(),
      ),
      '127.0.0.2',
    );
    try {
      const result = await check(target(`https://127.0.0.2:${other.port}/`));
      assert.equal(result.reason, 'TLS: certificate is not valid for 127.0.0.2');
    } finally {
      await other.close();
    }
  });

  test('speaking TLS to a plain HTTP server is dead with a TLS reason', async () => {
    const result = await check(target(`https://127.0.0.1:${plain.port}/`));
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, 'TLS: wrong version number');
  });
});
