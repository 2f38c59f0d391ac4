import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { PageCache } from '../../src/web/page/cache.js';
import { VERSION_SLOT } from '../../src/web/page/render.js';
import { liveRoutes } from '../../src/web/routes/live.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startTestServer } from '../helpers/server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;

const PROBES = `
[[probe.service]]
id = "web"
label = "Web <front>"
[[probe.service.node]]
id = "api"
label = "API"
mode = "poll"
replicas = ["tcp://10.0.0.1:80"]
[[probe.service.node]]
id = "app"
label = "App"
mode = "push"
`;

const API = { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://10.0.0.1:80' };

/** A raw GET, so the path reaches the server exactly as written (fetch would normalise `..`). */
function rawGet(server: Server, path: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('badges', () => {
  let server: Server;
  before(async () => {
    server = await startTestServer(PROBES);
  });
  after(() => server.close());

  test("/badge/color and /badge/icon are Vigil's 20×20 SVGs in its colours, without Last-Modified", async () => {
    const colors = { healthy: '#0EB033', sick: '#F18000', dead: '#E10000' } as const;
    for (const health of ['healthy', 'sick', 'dead'] as const) {
      server.observe.probe(API, { health, latencyMs: 1 });
      for (const kind of ['color', 'icon']) {
        const response = await fetch(`${server.url}/badge/${kind}`);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), 'image/svg+xml');
        assert.equal(response.headers.get('last-modified'), null);
        assert.equal(response.headers.get('content-disposition'), null);
        assert.ok(response.headers.get('etag'));
        assert.equal(response.headers.get('cache-control'), 'no-cache');
        const svg = await response.text();
        assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="20" height="20"/);
        assert.ok(svg.includes(`fill="${colors[health]}"`), `${kind} ${health}`);
        assert.ok(svg.includes(`<title>${health}</title>`));
        if (kind === 'icon') assert.ok(svg.includes('rx="2"'));
      }
    }
    server.observe.probe(API, { health: 'healthy', latencyMs: 1 });
  });

  test('the badge changes with the status: its ETag does too', async () => {
    const healthy = (await fetch(`${server.url}/badge/icon`)).headers.get('etag');
    server.observe.probe(API, { health: 'dead', latencyMs: 1 });
    const dead = await fetch(`${server.url}/badge/icon`, { headers: { 'If-None-Match': healthy ?? '' } });
    assert.equal(dead.status, 200);
    assert.notEqual(dead.headers.get('etag'), healthy);
    server.observe.probe(API, { health: 'healthy', latencyMs: 1 });
  });

  test('shield badges are labelled, for the page, a service and a node; labels are escaped', async () => {
    server.observe.probe(API, { health: 'sick', latencyMs: 1 });
    const page = await (await fetch(`${server.url}/badge/shield`)).text();
    assert.ok(page.includes('<title>status: sick</title>'));
    const service = await (await fetch(`${server.url}/badge/shield/web`)).text();
    assert.ok(service.includes('<title>Web &lt;front&gt;: sick</title>'));
    assert.ok(!service.includes('<front>'));
    const node = await (await fetch(`${server.url}/badge/shield/web/app`)).text();
    assert.ok(node.includes('<title>App: healthy</title>'));
    const nodeIcon = await (await fetch(`${server.url}/badge/icon/web/api`)).text();
    assert.ok(nodeIcon.includes('fill="#F18000"'));
    server.observe.probe(API, { health: 'healthy', latencyMs: 1 });
  });

  test('unknown kinds, services and nodes are 404', async () => {
    for (const path of [
      '/badge/color.svg',
      '/badge/large',
      '/badge/icon/nope',
      '/badge/icon/web/nope',
      '/badge/toString',
      '/badge/endpoint',
      '/badge/endpoint/nope',
      '/badge/endpoint/status/nope',
    ]) {
      assert.equal((await fetch(server.url + path)).status, 404, path);
    }
  });

  test('without a store: response-time badges from the latest probes; uptime badges and node pages are 404', async () => {
    server.observe.probe(API, { health: 'healthy', latencyMs: 41.6 });
    const node = await (await fetch(`${server.url}/badge/response-time/web/api`)).text();
    assert.ok(node.includes('<title>API response time: 42 ms</title>'), node);
    const service = await (await fetch(`${server.url}/badge/endpoint/response-time/web`)).json();
    assert.deepEqual(service, {
      schemaVersion: 1,
      label: 'Web <front> response time',
      message: '42 ms',
      color: '1565D8',
    });
    const push = await (await fetch(`${server.url}/badge/endpoint/response-time/web/app`)).json();
    assert.deepEqual(push, {
      schemaVersion: 1,
      label: 'App response time',
      message: 'no data',
      color: '6B7280',
    });
    for (const path of [
      '/badge/uptime/web',
      '/badge/endpoint/uptime',
      '/badge/response-time',
      '/node/web/api/',
    ])
      assert.equal((await fetch(server.url + path)).status, 404, path);
  });
});

describe('assets', () => {
  let server: Server;
  before(async () => {
    server = await startTestServer(PROBES);
  });
  after(() => server.close());

  test('allow-listed files are served with their type; a versioned URL is immutable', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const urls = [...html.matchAll(/(?:href|src)="(assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(urls.some((url) => url.startsWith('assets/page.css?v=')));
    assert.ok(urls.some((url) => url.startsWith('assets/live.js?v=')));
    for (const url of urls) {
      const response = await fetch(`${server.url}/${url}`);
      assert.equal(response.status, 200, url);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable', url);
    }
    const css = await fetch(`${server.url}/assets/page.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(css.headers.get('cache-control'), 'no-cache', 'an unversioned URL revalidates');
    const js = await fetch(`${server.url}/assets/live.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('content-encoding'), 'gzip');
    assert.equal(js.headers.get('vary'), 'Accept-Encoding');
    const logo = await fetch(`${server.url}/assets/logo.svg`);
    assert.equal(logo.headers.get('content-type'), 'image/svg+xml');
  });

  test('conditional requests get 304', async () => {
    const first = await fetch(`${server.url}/assets/page.css`);
    const etag = first.headers.get('etag') ?? '';
    const again = await fetch(`${server.url}/assets/page.css`, { headers: { 'If-None-Match': `W/${etag}` } });
    assert.equal(again.status, 304);
  });

  test('path traversal and unlisted files are 404', async () => {
    for (const path of [
      '/assets/../package.json',
      '/assets/..%2Fpackage.json',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/assets/%2e%2e/app.ts',
      '/assets/page.css%00.js',
      '/assets/assets/page.css',
      '/assets/PAGE.CSS',
      '/assets/',
      '/assets/index.html',
      '/assets/fonts/open_sans/open_sans_black.woff',
      '/assets/fonts/open_sans/../../page.css',
      '/assets/images/badges/unknown-default.svg',
      '/assets/stylesheets/other.css',
    ]) {
      const response = await rawGet(server, path);
      assert.equal(response.status, 404, path);
      assert.ok(!response.body.includes('"name"'), `${path} leaked a file`);
    }
  });

  test('robots.txt allows everything, as Vigil ships it', async () => {
    const response = await fetch(`${server.url}/robots.txt`);
    assert.equal(await response.text(), 'User-agent: *\nDisallow:\n');
  });
});

describe('security headers', () => {
  test('every response a browser may render carries a strict CSP and the usual headers', async () => {
    const server = await startTestServer(PROBES);
    try {
      // JSON answers are for programs: nosniff is the header that matters there.
      for (const path of ['/embed/status', '/nope', '/status/report']) {
        const headers = (await fetch(server.url + path)).headers;
        assert.match(headers.get('content-type') ?? '', /^application\/json/, path);
        assert.equal(headers.get('x-content-type-options'), 'nosniff', path);
      }
      for (const path of ['/', '/assets/page.css', '/badge/icon', '/status/text', '/robots.txt']) {
        const headers = (await fetch(server.url + path)).headers;
        const csp = headers.get('content-security-policy') ?? '';
        for (const directive of [
          "default-src 'self'",
          "script-src 'self'",
          "style-src 'self'",
          "object-src 'none'",
          // Framing is open by default, as Vigil's page (branding.frame_ancestors narrows it).
          'frame-ancestors *',
          "base-uri 'none'",
        ]) {
          assert.ok(csp.includes(directive), `${path}: ${directive}`);
        }
        assert.ok(!csp.includes('unsafe-inline'), path);
        assert.equal(headers.get('x-content-type-options'), 'nosniff', path);
        assert.equal(headers.get('referrer-policy'), 'no-referrer', path);
        assert.equal(headers.get('x-frame-options'), null, path);
      }
    } finally {
      await server.close();
    }
  });
});

/** Reads a server-sent event stream; `next(n)` resolves with the next n events (fewer if it ends). */
function eventReader(response: Response) {
  const reader = response.body?.getReader();
  assert.ok(reader);
  const decoder = new TextDecoder();
  let buffer = '';
  return async function next(count: number): Promise<string[]> {
    const events: string[] = [];
    for (;;) {
      let end = buffer.indexOf('\n\n');
      while (end !== -1 && events.length < count) {
        events.push(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
      if (events.length >= count) return events;
      const { value, done } = await reader.read();
      if (done) return events;
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

describe('live stream', () => {
  test('sends the current version on connect, then each new version after a change', async () => {
    const server = await startTestServer(PROBES, { pageRenderIntervalMs: 20 });
    try {
      const controller = new AbortController();
      const response = await fetch(`${server.url}/status/live`, { signal: controller.signal });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('x-accel-buffering'), 'no');
      const pageVersion = (await fetch(`${server.url}/`)).headers.get('etag')?.replaceAll('"', '');
      const next = eventReader(response);
      const [first] = await next(1);
      assert.equal(first, `retry: 2000\nevent: version\ndata: ${pageVersion}`);
      server.observe.probe(API, { health: 'dead', latencyMs: 1 });
      const [second] = await next(1);
      const newVersion = (await fetch(`${server.url}/`)).headers.get('etag')?.replaceAll('"', '');
      assert.notEqual(newVersion, pageVersion);
      assert.equal(second, `event: version\ndata: ${newVersion}`);
      controller.abort();
    } finally {
      await server.close();
    }
  });

  test('a burst of reports inside the render interval makes one new version', async () => {
    const clock = new FakeClock();
    const server = await startTestServer(PROBES, { clock, pageRenderIntervalMs: 200 });
    try {
      const controller = new AbortController();
      const response = await fetch(`${server.url}/status/live`, { signal: controller.signal });
      const next = eventReader(response);
      await next(1);
      for (let report = 0; report < 50; report++) {
        server.observe.push('web', 'app', `host-${report}`, 30, { cpu: 0.1, ram: 0.1 });
      }
      clock.advance(199);
      clock.advance(1);
      const [version] = await next(1);
      assert.match(version ?? '', /^event: version\ndata: /);
      const more = await Promise.race([
        next(1),
        new Promise((resolve) => setTimeout(() => resolve('none'), 300)),
      ]);
      assert.equal(more, 'none', 'no second version');
      controller.abort();
    } finally {
      await server.close();
    }
  });

  test('past the client cap new streams get 503, and a closed stream frees its place', async () => {
    const page = new PageCache({
      render: () => VERSION_SLOT,
      sources: [],
      clock: new FakeClock(),
      intervalMs: 0,
    });
    const app = Fastify();
    liveRoutes(app, { page, headers: () => ({}), maxClients: 1 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/status/live`;
    try {
      const controller = new AbortController();
      const first = await fetch(url, { signal: controller.signal });
      await eventReader(first)(1);
      const refused = await fetch(url);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '60');
      controller.abort();
      let status = 503;
      for (let attempt = 0; attempt < 50 && status === 503; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        const retry = await fetch(url, { signal: AbortSignal.timeout(1000) });
        status = retry.status;
        await retry.body?.cancel();
      }
      assert.equal(status, 200);
    } finally {
      await app.close();
      page.close();
    }
  });

  test('closing the app ends open streams instead of hanging', async () => {
    const server = await startTestServer(PROBES);
    const response = await fetch(`${server.url}/status/live`);
    const next = eventReader(response);
    await next(1);
    const started = Date.now();
    await server.close();
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(await next(1), [], 'the stream ended');
  });
});

describe('embed banner', () => {
  test('/embed.js is served for other sites; /embed/status says since when the page is dead', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const server = await startTestServer(PROBES, { clock });
    try {
      const script = await fetch(`${server.url}/embed.js`);
      assert.equal(script.status, 200);
      assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal(script.headers.get('cross-origin-resource-policy'), 'cross-origin');
      assert.ok((await script.text()).includes('embed/status'));

      clock.advance(30_000);
      server.observe.probe(API, { health: 'dead', latencyMs: 1 });
      clock.advance(125_000);
      const response = await fetch(`${server.url}/embed/status`, {
        headers: { Origin: 'https://shop.example' },
      });
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      assert.equal(response.headers.get('cache-control'), 'no-cache');
      assert.deepEqual(await response.json(), {
        health: 'dead',
        since: '2026-01-01T12:00:30.000Z',
        forSeconds: 125,
        message: 'Partial service outage ongoing',
        page: { title: 'Test Status', url: 'https://status.example.com/' },
      });
    } finally {
      await server.close();
    }
  });
});
