import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { MemoryAnnouncementStore } from '../../src/announcements/memory.js';
import { PAGE_RENDER_INTERVAL_MS } from '../../src/web/page/status-page.js';
import { basicAuth, startTestServer } from '../helpers/server.js';
import {
  ARTIFACTS,
  assertCleanVisit,
  launchChromium,
  openRecordedPage,
  runAxe,
  waitUntil,
} from './browser-harness.js';

/** Code run in the page is written as strings: this program has no DOM types. */
const ACTIVE_ID = 'document.activeElement?.id';
/** The issue's promise: a change shows on an open page within this, without a reload. */
const LIVE_DEADLINE_MS = 2000;

const PROBES = `
[[probe.service]]
id = "web"
label = "Website"
[[probe.service.node]]
id = "frontend"
label = "Frontend"
mode = "poll"
replicas = ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b", "tcp://127.0.0.1:9"]
reveal_replica_name = true
link_url = "https://docs.example.com/frontend"
link_label = "Runbook"
[[probe.service.node]]
id = "app"
label = "Application"
mode = "push"
[[probe.service]]
id = "internal"
label = "Internal services"
[[probe.service.node]]
id = "jobs"
label = "Job runners"
mode = "script"
scripts = ["exit 0", "exit 0"]
`;

/** Brand images under page_url render relative, so the page loads them from our own asset route. */
const LOCAL_LOGO = 'https://status.example.com/assets/logo.svg';

describe('status page in a real browser', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const announcements = new MemoryAnnouncementStore();

  before(async () => {
    browser = await launchChromium();
    server = await startTestServer(PROBES, {
      // 0 s of grace: a report with interval 0 is past its deadline at once, i.e. dead.
      metrics: 'push_delay_dead = 0',
      announcements,
      pageRenderIntervalMs: PAGE_RENDER_INTERVAL_MS,
      configure: (config) => {
        config.branding.logo_url = LOCAL_LOGO;
        config.branding.icon_url = LOCAL_LOGO;
        config.branding.logo_color = '#1565d8';
      },
    });
    const frontend = ['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b', 'tcp://127.0.0.1:9'];
    frontend.forEach((replicaId, index) => {
      server.observe.probe(
        { serviceId: 'web', nodeId: 'frontend', replicaId },
        { health: index === 1 ? 'sick' : 'healthy', latencyMs: 40 + index * 900 },
      );
    });
    server.observe.probe(
      { serviceId: 'internal', nodeId: 'jobs', replicaId: '0' },
      { health: 'healthy', latencyMs: 3 },
    );
    await report('host-1', 30, 0.31);
    announcements.add({
      title: 'Scheduled maintenance',
      text: 'The database moves on Sunday.\nExpect a short pause.',
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A push report through the real reporter API, as node-vigil-reporter sends it. */
  async function report(replica: string, interval: number, cpu: number) {
    const response = await fetch(`${server.url}/reporter/web/app/`, {
      method: 'POST',
      headers: {
        Authorization: basicAuth('reporter-secret'),
        'Content-Type': 'application/json; charset=utf-8',
      },
      body: JSON.stringify({ replica, interval, load: { cpu, ram: 0.42 } }),
    });
    assert.equal(response.status, 200);
  }

  const openPage = (context: BrowserContext) => openRecordedPage(context, `${server.url}/`);

  test('banner, sections and Vigil texts are on screen; every request stays on loopback', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const { page, problems, requests } = await openPage(context);
      assert.equal(await page.textContent('#banner-title'), 'Minor service slowdown ongoing');
      assert.equal(await page.textContent('#general-title'), 'Looks like services are under high load.');
      assert.deepEqual(await page.locator('.service-title').allTextContents(), [
        'Website: sick',
        'Internal services: healthy',
      ]);
      assert.equal(await page.locator('.node').count(), 3);
      assert.deepEqual(
        await page.locator('[aria-label="Frontend replicas"] .replica-box').allTextContents(),
        ['1 healthy', '2 sick', '3 healthy'],
      );
      assert.ok(await page.locator('.announcement h3', { hasText: 'Scheduled maintenance' }).isVisible());
      assert.ok(
        await page.evaluate(`document.querySelector('img.brand-logo').naturalWidth > 0`),
        'the logo loaded',
      );
      assert.equal(await page.evaluate('window.STATUS_GENERAL'), 'sick');
      await page.screenshot({ path: `${ARTIFACTS}page-desktop.png`, fullPage: true });
      assertCleanVisit({ problems, requests }, server.url);
    } finally {
      await context.close();
    }
  });

  test('tooltips open on hover and on keyboard focus, and Escape closes them', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const { page, problems } = await openPage(context);
      const box = page.locator('#r-0-0-1');
      const tip = page.locator('#t-0-0-1');
      assert.equal(await tip.isVisible(), false);
      await box.hover();
      assert.equal(await tip.isVisible(), true);
      assert.equal(
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered lines are what a visitor reads
        await tip.innerText(),
        'This replica reports as sick.\nChecked via a poll probe (HTTP, SSH, TCP or ICMP).\nhttp://127.0.0.1:9/b\nLatency: 940ms',
      );
      await page.mouse.move(0, 0);
      assert.equal(await tip.isVisible(), false);

      // Tab from the top of the page to the first replica: one tab stop per node, arrows move inside.
      let focused = '';
      for (let presses = 0; presses < 12 && !focused.startsWith('r-'); presses++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate<string>("document.activeElement?.id ?? ''");
      }
      assert.equal(focused, 'r-0-0-0');
      assert.equal(await page.locator('#t-0-0-0').isVisible(), true);
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.evaluate(ACTIVE_ID), 'r-0-0-1');
      assert.equal(await tip.isVisible(), true);
      await page.keyboard.press('Escape');
      assert.equal(await tip.isVisible(), false);
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Runbook', 'the node link');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(ACTIVE_ID), 'r-0-1-0', 'the next node, not the next box');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test(`replica, node, service and announcement changes show within ${LIVE_DEADLINE_MS} ms, without a reload`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const { page, problems, requests, navigations } = await openPage(context);
      // A change before the stream opens is not lost: the stream's first message has the current version.
      for (let waited = 0; !requests.includes(`${server.url}/status/live`); waited += 20) {
        assert.ok(waited < LIVE_DEADLINE_MS, 'the page opens the live stream');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await page.evaluate('window.sameDocument = true');

      const changed = async (what: string, predicate: string) => {
        const started = Date.now();
        await waitUntil(page, predicate, LIVE_DEADLINE_MS);
        return `${what} in ${Date.now() - started} ms`;
      };

      // A new push replica, then the same replica reporting past its deadline: dead.
      await report('host-2', 30, 0.2);
      await changed(
        'new replica',
        `document.querySelectorAll('[aria-label="Application replicas"] li').length === 2`,
      );
      await report('host-2', 0, 0.2);
      const timing = await changed(
        'dead replica',
        `document.querySelector('#banner-title')?.textContent === 'Partial service outage ongoing'`,
      );
      assert.equal(await page.textContent('#r-0-1-1'), '2 dead');
      assert.match((await page.locator('.service-title').first().textContent()) ?? '', /Website: dead/);
      assert.equal(
        await page.textContent('#live-status'),
        'Partial service outage ongoing',
        'announced to screen readers',
      );

      announcements.add({ title: 'Investigating', text: 'We are on it.' });
      await changed(
        'announcement',
        `document.querySelector('.announcement h3')?.textContent === 'Investigating'`,
      );

      assert.equal(await page.evaluate('window.sameDocument'), true);
      assert.equal(navigations(), 1, 'only the first load');
      assert.deepEqual(problems, []);
      assert.deepEqual(
        requests.filter((url) => !url.startsWith(`${server.url}/`)),
        [],
      );
      console.log(`# live: ${timing}`);
    } finally {
      await context.close();
    }
  });

  test('when a proxy refuses the live stream, the page polls and still updates within 2 s', async () => {
    const context = await browser.newContext();
    try {
      // As a server over its client cap, or a proxy that drops streams, would answer.
      await context.route('**/status/live', (route) => route.fulfill({ status: 503, body: '' }));
      const { page, navigations } = await openPage(context);
      await page.waitForTimeout(100);
      const before = await page
        .locator('[aria-label="Job runners replicas"] .replica-box')
        .first()
        .textContent();
      assert.equal(before, '1 healthy');
      server.observe.probe(
        { serviceId: 'internal', nodeId: 'jobs', replicaId: '0' },
        { health: 'sick', latencyMs: 3 },
      );
      await waitUntil(
        page,
        `document.querySelector('[aria-label="Job runners replicas"] .replica-box')?.textContent === '1 sick'`,
        LIVE_DEADLINE_MS + PAGE_RENDER_INTERVAL_MS,
      );
      assert.equal(navigations(), 1);
    } finally {
      server.observe.probe(
        { serviceId: 'internal', nodeId: 'jobs', replicaId: '0' },
        { health: 'healthy', latencyMs: 3 },
      );
      await context.close();
    }
  });

  test('at 360 px wide nothing overflows sideways; dark mode follows the system', async () => {
    const mobile = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
    const dark = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    try {
      const { page: small, problems: smallProblems } = await openPage(mobile);
      assert.ok(await small.evaluate('document.documentElement.scrollWidth <= 360'));
      assert.equal(
        await small.locator('.website-link').isVisible(),
        false,
        'hidden below 640 px, as in Vigil',
      );
      await small.screenshot({ path: `${ARTIFACTS}page-mobile-360.png`, fullPage: true });
      const { page: night, problems: nightProblems } = await openPage(dark);
      const background = await night.evaluate('getComputedStyle(document.body).backgroundColor');
      assert.equal(background, 'rgb(20, 23, 28)');
      await night.screenshot({ path: `${ARTIFACTS}page-dark.png`, fullPage: true });
      assert.deepEqual([...smallProblems, ...nightProblems], []);
    } finally {
      await mobile.close();
      await dark.close();
    }
  });

  test('axe finds no serious or critical accessibility violations, light or dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      // Our CSP (rightly) refuses the injected inline axe script; this context lets it in.
      const context = await browser.newContext({ bypassCSP: true, colorScheme });
      try {
        const { page } = await openPage(context);
        assert.deepEqual(await runAxe(page), [], colorScheme);
      } finally {
        await context.close();
      }
    }
  });

  test('without JavaScript the page still shows everything, and tooltips still open', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/`);
      assert.ok(await page.locator('#banner-title').isVisible());
      await page.locator('#r-0-0-0').hover();
      assert.ok(await page.locator('#t-0-0-0').isVisible());
    } finally {
      await context.close();
    }
  });

  test('markup in labels, replica ids and announcements stays text in the DOM', async () => {
    const payload = `"><img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`;
    const hostile = await startTestServer(
      `
[[probe.service]]
id = "svc"
label = ${JSON.stringify(`Service ${payload}`)}
[[probe.service.node]]
id = "node"
label = ${JSON.stringify(`Node ${payload}`)}
mode = "push"
reveal_replica_name = true
`,
      { announcements: new MemoryAnnouncementStore() },
    );
    const context = await browser.newContext();
    try {
      hostile.observe.push('svc', 'node', `replica ${payload}`, 30, { cpu: 0, ram: 0 });
      const page = await context.newPage();
      let dialogs = 0;
      page.on('dialog', (dialog) => {
        dialogs += 1;
        void dialog.dismiss();
      });
      await page.goto(`${hostile.url}/`);
      assert.equal(await page.evaluate('window.pwned'), undefined);
      assert.equal(await page.locator('img[src="x"], [onerror]').count(), 0);
      // live.js, local-time.js and Vigil's status global, nothing from the payload.
      assert.equal(await page.locator('script').count(), 3);
      assert.equal(await page.evaluate('window.STATUS_GENERAL'), 'healthy');
      assert.equal(await page.textContent('#t-0-0-0 code'), `replica ${payload}`);
      assert.equal(dialogs, 0);
    } finally {
      await context.close();
      await hostile.close();
    }
  });
});
