import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MemoryAnnouncementStore } from '../../src/announcements/memory.js';
import type { Health } from '../../src/model/health.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startTestServer } from '../helpers/server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;

const PROBES = `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "api"
label = "API"
mode = "poll"
replicas = ["tcp://10.0.0.1:80", "tcp://10.0.0.2:80"]
[[probe.service.node]]
id = "app"
label = "App"
mode = "push"
reveal_replica_name = true
link_url = "https://docs.example.com/app"
link_label = "App docs"
[[probe.service]]
id = "jobs"
label = "Jobs"
[[probe.service.node]]
id = "runner"
label = "Runner"
mode = "script"
scripts = ["exit 0"]
[[probe.service.node]]
id = "relay"
label = "Relay"
mode = "local"
link_url = "https://relay.example.com/"
`;

const API_1 = { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://10.0.0.1:80' };

async function page(server: Server): Promise<string> {
  const response = await fetch(`${server.url}/`);
  assert.equal(response.status, 200);
  return response.text();
}

/** The text of the first element matching `pattern`'s capture, tags stripped. */
function textOf(html: string, pattern: RegExp): string {
  const match = pattern.exec(html);
  assert.ok(match?.[1] !== undefined, `no match for ${pattern}`);
  return match[1].replace(/<[^>]+>/g, '');
}

describe('status page content (Vigil parity)', () => {
  let server: Server;
  const clock = new FakeClock(Date.UTC(2026, 2, 5, 14, 3, 9));
  const announcements = new MemoryAnnouncementStore(clock);
  before(async () => {
    server = await startTestServer(PROBES, { clock, announcements });
  });
  after(() => server.close());

  const EXPECTED: Record<Health, { banner: string; title: string; support: string }> = {
    healthy: {
      banner: 'All systems report as healthy',
      title: 'Looks like everything is operating normally.',
      support:
        'All systems are healthy at the moment. If you are encountering an issue, please contact our support.',
    },
    sick: {
      banner: 'Minor service slowdown ongoing',
      title: 'Looks like services are under high load.',
      support:
        'Services are slower than usual at the moment. If you are encountering an issue, please contact our support.',
    },
    dead: {
      banner: 'Partial service outage ongoing',
      title: 'Looks like some services are not working.',
      support: 'Our team has been notified of the issue. If the outage persists, please contact our support.',
    },
  };

  test('before any probe the banner says "not yet refreshed"', async () => {
    assert.equal(textOf(await page(server), /class="banner-refreshed">(.*?)<\/p>/), 'not yet refreshed');
  });

  for (const health of ['sick', 'dead', 'healthy'] as const) {
    test(`a ${health} page has Vigil's ${health} banner, headline and support sentence`, async () => {
      server.observe.probe(API_1, { health, latencyMs: 12 });
      const html = await page(server);
      const expected = EXPECTED[health];
      assert.match(html, new RegExp(`<html lang="en" data-version="[^"]+" data-status="${health}">`));
      assert.match(html, new RegExp(`<aside class="banner is-${health} status-${health}-background"`));
      assert.equal(textOf(html, /<h1 id="banner-title">(.*?)<\/h1>/), expected.banner);
      assert.equal(textOf(html, /<p class="banner-refreshed">(.*?)<\/p>/), 'refreshed 14:03:09 UTC+00:00');
      assert.equal(textOf(html, /<h2 id="general-title">(.*?)<\/h2>/), expected.title);
      assert.ok(
        html.includes(
          '<p>This status page automatically monitors our systems and alerts if something is not working as expected.</p>',
        ),
      );
      assert.ok(
        html.includes(
          `<p>${expected.support.replace('please contact', '<a href="mailto:support@example.com">please contact')}</a></p>`,
        ),
      );
      assert.match(html, new RegExp(`src="assets/icon-${health}\\.svg\\?v=[\\w-]+" alt="" width="42"`));
    });
  }

  test('one section per service in config order, with self-linking anchors and node rows', async () => {
    const html = await page(server);
    assert.ok(html.indexOf('id="probe-web"') < html.indexOf('id="probe-jobs"'));
    assert.ok(html.includes('<a href="#probe-web" id="probe-web">'));
    const labels = [...html.matchAll(/<span class="node-label[^"]*">(.*?)<\/span><ol/g)].map((m) =>
      m[1]?.replace(/<[^>]+>/g, ''),
    );
    assert.deepEqual(labels, ['API: healthy', 'App: healthy', 'Runner: healthy', 'Relay: healthy']);
  });

  test('replica boxes show their 1-based position and a tooltip with status and mode lines', async () => {
    server.observe.probe(API_1, { health: 'dead', latencyMs: 0 });
    const html = await page(server);
    const api = /aria-label="API replicas">(.*?)<\/ol>/.exec(html)?.[1] ?? '';
    const boxes = [
      ...api.matchAll(/<span class="replica-box[^"]*"[^>]*>(\d+)<span class="sr"> (\w+)<\/span>/g),
    ];
    assert.deepEqual(
      boxes.map((m) => [m[1], m[2]]),
      [
        ['1', 'dead'],
        ['2', 'healthy'],
      ],
    );
    assert.ok(api.includes('<strong>This replica reports as dead.</strong>'));
    assert.ok(api.includes('<span>Checked via a poll probe (HTTP, SSH, TCP or ICMP).</span>'));
    assert.ok(api.includes('<span>Latency: 0ms</span>'), 'latency shows even when 0');
    assert.ok(api.includes('<span>Not checked yet.</span>'), 'the second replica was never probed');
    server.observe.probe(API_1, { health: 'healthy', latencyMs: 12 });
  });

  test('replica names, and reasons that may hold them, stay hidden unless reveal_replica_name', async () => {
    server.observe.probe(API_1, {
      health: 'dead',
      latencyMs: 5,
      reason: 'connect ECONNREFUSED 10.0.0.1:80',
    });
    server.observe.push('web', 'app', 'host-7.internal', 30, { cpu: 0.421, ram: 0.6 });
    const html = await page(server);
    assert.ok(!html.includes('10.0.0.1'), 'neither the poll replica URL nor the reason leaks');
    const app = /aria-label="App replicas">(.*?)<\/ol>/.exec(html)?.[1] ?? '';
    assert.ok(app.includes('<code>host-7.internal</code>'));
    assert.ok(app.includes('<span>Checked via a push probe (Reporter).</span>'));
    assert.ok(app.includes('<span>Load: 42% Memory: 60%</span>'));
    server.observe.probe(API_1, { health: 'healthy', latencyMs: 12 });
  });

  test('script and local mode lines; queue details for RabbitMQ', async () => {
    server.observe.local('jobs', 'relay', 'icmp://10.1.1.1', 60, 'sick');
    server.observe.push('web', 'app', 'host-7.internal', 30, { cpu: 0.1, ram: 0.1 });
    server.observe.queue('web', 'app', { loaded: false, stalled: false, ready: 12, nack: 3 });
    const html = await page(server);
    assert.ok(html.includes('<span>Checked via a script probe.</span>'));
    assert.ok(html.includes('<span>Checked via a local probe (internal).</span>'));
    assert.ok(html.includes('<span>Load: 10% Memory: 10% Queue: 12R 3N</span>'), 'one details line');
    server.observe.flush('jobs', 'relay', 'icmp://10.1.1.1');
  });

  test('link_url shows with link_label, or the URL itself when there is no label', async () => {
    const html = await page(server);
    assert.ok(
      html.includes(
        '<a class="node-link link" href="https://docs.example.com/app" rel="noopener">App docs</a>',
      ),
    );
    assert.ok(
      html.includes(
        '<a class="node-link link" href="https://relay.example.com/" rel="noopener">https://relay.example.com/</a>',
      ),
    );
  });

  test('announcements: newest first, after the general section, dated, with line breaks', async () => {
    const first = announcements.add({ title: 'Maintenance', text: 'Database upgrade\non Sunday' });
    clock.advance(60_000);
    const second = announcements.add({ title: 'Resolved', text: 'All good' });
    const html = await page(server);
    assert.match(html, /<section class="general status-\w+-background-before announcement-preceding"/);
    assert.ok(html.indexOf('Resolved') < html.indexOf('Maintenance'), 'newest first');
    assert.ok(html.indexOf('id="general-title"') < html.indexOf('Resolved'));
    assert.ok(html.includes('<p>Database upgrade<br>on Sunday</p>'));
    assert.ok(
      html.includes(
        '<p class="announcement-badge alert-announce-background">Announcement</p><h3>Maintenance</h3>',
      ),
    );
    assert.ok(
      html.includes(
        'Published on <time datetime="2026-03-05T14:03:09.000Z">5 Mar 2026, 14:03:09 UTC+00:00</time>',
      ),
    );
    announcements.remove(first.id);
    announcements.remove(second.id);
    const without = await page(server);
    assert.ok(!without.includes('class="announcements'));
    assert.ok(!without.includes('announcement-preceding'));
  });

  test('an announcement past its expiry leaves the page by itself', async () => {
    announcements.add({ title: 'Short notice', text: 'soon gone', expiresAtMs: clock.now() + 5000 });
    assert.ok((await page(server)).includes('Short notice'));
    clock.advance(5000);
    assert.ok(!(await page(server)).includes('Short notice'));
  });

  test('header, footer, favicon and no-JavaScript refresh', async () => {
    const html = await page(server);
    assert.ok(html.includes('<title>Test Status</title>'));
    assert.ok(
      html.includes(
        '<a class="support-button nav-support" href="mailto:support@example.com">Contact support</a>',
      ),
    );
    assert.ok(
      html.includes(
        '<a class="website-link nav-website" href="https://example.com/" target="_blank" rel="noopener noreferrer">Go to website</a>',
      ),
    );
    assert.ok(
      html.includes('<link rel="icon" href="./icon.png" type="image/png">'),
      'icon under page_url is relative',
    );
    assert.ok(html.includes('<meta property="og:image" content="https://status.example.com/icon.png">'));
    assert.ok(html.includes('<meta name="msapplication-TileColor" content="#000000">'));
    assert.ok(html.includes('<p>© 2026 Example Inc</p>'));
    assert.ok(html.includes('<noscript><meta http-equiv="refresh" content="60"></noscript>'));
  });

  test('every page-local URL is relative, so the page works under a sub-path', async () => {
    const html = await page(server);
    const urls = [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => m[1] ?? '');
    const local = urls.filter((url) => !/^(https?:|mailto:)/.test(url));
    assert.ok(local.length > 5);
    for (const url of local) assert.ok(!url.startsWith('/'), `${url} is root-relative`);
    assert.ok(local.includes('./'), 'the logo links to the page itself');
  });

  test('the page is served compressed, with an ETag that answers 304 until the page changes', async () => {
    const gzip = await fetch(`${server.url}/`, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(gzip.headers.get('content-encoding'), 'gzip');
    const br = await fetch(`${server.url}/`, { headers: { 'Accept-Encoding': 'br, gzip' } });
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.equal(await br.text(), await gzip.text());
    const etag = gzip.headers.get('etag') ?? '';
    assert.equal(gzip.headers.get('cache-control'), 'no-cache');
    const again = await fetch(`${server.url}/`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    server.observe.probe(API_1, { health: 'healthy', latencyMs: 99 });
    const changed = await fetch(`${server.url}/`, { headers: { 'If-None-Match': etag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
  });
});

describe('status page branding', () => {
  test('custom_html goes raw into <head>, and its inline script is allowed by hash alone', async () => {
    const snippet = '<script>window.analytics = 1;</script><meta name="x-custom" content="yes">';
    const server = await startTestServer(PROBES, {
      configure: (config) => {
        config.branding.custom_html = snippet;
      },
    });
    try {
      const response = await fetch(`${server.url}/`);
      const html = await response.text();
      const head = html.slice(html.indexOf('<head>'), html.indexOf('</head>'));
      assert.ok(head.includes(snippet));
      const csp = response.headers.get('content-security-policy') ?? '';
      // Vigil's three status globals and the snippet, each by its hash, and nothing else.
      assert.match(csp, /script-src 'self'( 'sha256-[A-Za-z0-9+/]+=*'){4}(;|$)/);
      assert.ok(!csp.includes('unsafe-inline'));
    } finally {
      await server.close();
    }
  });

  test('logo_color styles the support button from the stylesheet, never inline', async () => {
    const server = await startTestServer(PROBES, {
      configure: (config) => {
        config.branding.logo_color = '#ffd000';
      },
    });
    try {
      const html = await page(server);
      assert.ok(!html.includes('style='));
      const cssUrl = /href="(assets\/page\.css\?v=[\w-]+)"/.exec(html)?.[1];
      const css = await (await fetch(`${server.url}/${cssUrl}`)).text();
      assert.ok(css.endsWith(':root{--brand:#ffd000;--brand-text:#111}\n'), 'dark text on a light colour');
    } finally {
      await server.close();
    }
  });

  test('a logo_color that could break out of its CSS rule is ignored', async () => {
    const server = await startTestServer(PROBES, {
      configure: (config) => {
        config.branding.logo_color = 'red}body{display:none';
      },
    });
    try {
      const css = await (await fetch(`${server.url}/assets/page.css`)).text();
      assert.ok(!css.includes('display:none'));
      assert.ok(!css.includes('--brand:'));
    } finally {
      await server.close();
    }
  });
});
