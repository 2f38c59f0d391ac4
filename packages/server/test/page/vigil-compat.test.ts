import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ConfigError, parseConfigText } from '../../src/config/index.js';
import { BASE_CONFIG } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startTestServer } from '../helpers/server.js';
import { launchChromium } from './browser-harness.js';

/** What an existing Vigil user's setup relies on beyond the protocols: framing, images, CSS, assets. */

const PROBES = `
[[probe.service]]
id = "web"
label = "Web"
[[probe.service.node]]
id = "api"
label = "API"
mode = "poll"
replicas = ["tcp://127.0.0.1:9"]
`;
const API = { serviceId: 'web', nodeId: 'api', replicaId: 'tcp://127.0.0.1:9' };

/** A 1×1 PNG, as a logo host would serve it. */
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const SVG_LOGO = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="30"><rect width="30" height="30"/></svg>',
).toString('base64')}`;

/** A plain HTTP server on its own loopback port (another origin): a logo host, or a site framing the page. */
async function startSite(handler: (path: string) => { type: string; body: string | Buffer }): Promise<{
  url: string;
  close: () => Promise<void>;
}> {
  const server: Server = createServer((request, response) => {
    const { type, body } = handler(request.url ?? '/');
    response.writeHead(200, { 'Content-Type': type });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('Vigil page compatibility in a real browser', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  /** Whether the status page loads inside an iframe of another origin. */
  async function framed(frameAncestors?: string[]): Promise<boolean> {
    const status = await startTestServer(PROBES, {
      configure: (config) => {
        if (frameAncestors) config.branding.frame_ancestors = frameAncestors;
      },
    });
    const site = await startSite(() => ({
      type: 'text/html; charset=utf-8',
      body: `<!doctype html><title>Help centre</title><iframe src="${status.url}/" width="800" height="600"></iframe>`,
    }));
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${site.url}/`, { waitUntil: 'load' });
      const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
      if (!frame) return false;
      return (
        (await frame
          .locator('aside.banner h1')
          .count()
          .catch(() => 0)) === 1
      );
    } finally {
      await context.close();
      await site.close();
      await status.close();
    }
  }

  test('another site can frame the page, as Vigil’s, unless frame_ancestors says otherwise', async () => {
    assert.equal(await framed(), true, 'framed by default');
    assert.equal(await framed(["'self'"]), false, "refused with frame_ancestors = ['self']");
  });

  test('a plain-http logo on another host and a data: icon both show', async () => {
    const logoHost = await startSite(() => ({ type: 'image/png', body: PIXEL_PNG }));
    const status = await startTestServer(PROBES, {
      configure: (config) => {
        config.branding.logo_url = `${logoHost.url}/logo.png`;
        config.branding.icon_url = SVG_LOGO;
      },
    });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${status.url}/`, { waitUntil: 'load' });
      assert.equal(await page.evaluate("document.querySelector('img.brand-logo').naturalWidth"), 1);
      assert.equal(await page.evaluate("document.querySelector('link[rel=icon]').href"), SVG_LOGO);
    } finally {
      await context.close();
      await status.close();
      await logoHost.close();
    }
  });

  test("custom_html written for Vigil's page: its classes match and its scripts read STATUS_GENERAL", async () => {
    const status = await startTestServer(PROBES, {
      configure: (config) => {
        config.branding.custom_html =
          '<style>.status-dead-background{outline:7px solid rgb(1, 2, 3)}</style>' +
          '<script>document.documentElement.dataset.seenStatus = window.STATUS_GENERAL;</script>';
      },
    });
    status.observe.probe(API, { health: 'dead', latencyMs: 1 });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${status.url}/`, { waitUntil: 'load' });
      assert.equal(await page.evaluate('document.documentElement.dataset.seenStatus'), 'dead');
      assert.equal(
        await page.evaluate("getComputedStyle(document.querySelector('aside')).outlineColor"),
        'rgb(1, 2, 3)',
      );
    } finally {
      await context.close();
      await status.close();
    }
  });
});

describe("Vigil's asset URLs and the favicon", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  before(async () => {
    server = await startTestServer(PROBES, {
      configure: (config) => {
        config.branding.icon_url = SVG_LOGO;
      },
    });
  });
  after(() => server.close());

  test('badge images hot-linked from Vigil’s paths are served', async () => {
    for (const file of [
      'color-dead-default.svg',
      'icon-healthy-default.svg',
      'sick-large.svg',
      'healthy-small.svg',
    ]) {
      const response = await fetch(`${server.url}/assets/images/badges/${file}`);
      assert.equal(response.status, 200, file);
      assert.equal(response.headers.get('content-type'), 'image/svg+xml', file);
      assert.match(await response.text(), /^<svg/, file);
    }
  });

  test("Vigil's Open Sans files are served as fonts", async () => {
    for (const [file, magic] of [
      ['open_sans_regular.woff2', 'wOF2'],
      ['open_sans_bold.woff', 'wOFF'],
    ] as const) {
      const response = await fetch(`${server.url}/assets/fonts/open_sans/${file}`);
      assert.equal(response.status, 200, file);
      assert.equal(response.headers.get('content-type'), `font/${file.split('.')[1]}`);
      assert.equal(
        Buffer.from(await response.arrayBuffer())
          .subarray(0, 4)
          .toString('latin1'),
        magic,
      );
    }
  });

  test("Vigil's stylesheet URLs lead to our stylesheet, relatively", async () => {
    const response = await fetch(`${server.url}/assets/stylesheets/common.css`, { redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.match(response.headers.get('location') ?? '', /^\.\.\/\.\.\/assets\/page\.css\?v=/);
    const followed = await fetch(`${server.url}/assets/stylesheets/index.css`);
    assert.match(followed.headers.get('content-type') ?? '', /^text\/css/);
  });

  test('/favicon.ico serves a data: icon’s bytes, and redirects to an icon URL', async () => {
    const response = await fetch(`${server.url}/favicon.ico`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/svg+xml');
    assert.match(await response.text(), /^<svg xmlns/);

    const linked = await startTestServer(PROBES);
    try {
      const redirect = await fetch(`${linked.url}/favicon.ico`, { redirect: 'manual' });
      assert.equal(redirect.status, 302);
      assert.equal(redirect.headers.get('location'), './icon.png');
    } finally {
      await linked.close();
    }
  });
});

test('"refreshed" is the time the page was produced, not the last observation', async () => {
  const clock = new FakeClock(Date.UTC(2026, 2, 5, 14, 3, 9));
  const server = await startTestServer(PROBES, { clock });
  try {
    server.observe.probe(API, { health: 'healthy', latencyMs: 1 });
    clock.advance(95_000);
    const html = await (await fetch(`${server.url}/`)).text();
    assert.match(html, /<p class="banner-refreshed">refreshed 14:04:44 UTC\+00:00<\/p>/);
  } finally {
    await server.close();
  }
});

describe('branding keys for images and framing', () => {
  const LOGO = 'logo_url = "https://status.example.com/logo.svg"';
  const errorsOf = (from: string, to: string): string[] => {
    const text = `${BASE_CONFIG.replace(from, to)}\n[probe]\n${PROBES}`;
    try {
      parseConfigText(text, 'test.cfg', { env: {} });
      return [];
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return [...error.messages];
    }
  };

  test('a logo or icon the page cannot show is refused, naming the key', () => {
    assert.deepEqual(errorsOf(LOGO, LOGO), []);
    assert.deepEqual(errorsOf(LOGO, `logo_url = "http://cdn.example.com/logo.png"`), []);
    assert.deepEqual(errorsOf(LOGO, `logo_url = "${SVG_LOGO}"`), []);
    const [ftp] = errorsOf(LOGO, 'logo_url = "ftp://files.example.com/logo.svg"');
    assert.match(
      ftp ?? '',
      /^test\.cfg: branding\.logo_url: must be an http:\/\/ or https:\/\/ URL, or a data:image/,
    );
    const [html] = errorsOf(
      'icon_url = "https://status.example.com/icon.png"',
      'icon_url = "data:text/html,<b>x</b>"',
    );
    assert.match(html ?? '', /branding\.icon_url/);
  });

  test('frame_ancestors takes CSP sources and refuses anything else', () => {
    assert.deepEqual(
      errorsOf(LOGO, `${LOGO}\nframe_ancestors = ["'self'", "https://help.example.com", "*.example.org"]`),
      [],
    );
    const [injection] = errorsOf(LOGO, `${LOGO}\nframe_ancestors = ["https://a.example; script-src *"]`);
    assert.match(injection ?? '', /branding\.frame_ancestors\[0\]: must be 'self', 'none', \*/);
    const [none] = errorsOf(LOGO, `${LOGO}\nframe_ancestors = ["'none'", "https://a.example"]`);
    assert.match(none ?? '', /'none' cannot be combined/);
  });
});
