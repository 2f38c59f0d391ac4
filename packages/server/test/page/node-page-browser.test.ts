import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, assertCleanVisit, launchChromium, openRecordedPage, runAxe } from './browser-harness.js';
import { brandImagesUnderPageUrl, type HistoryServer, NOW, startHistoryServer } from './history-fixture.js';

/** The reader's zone in these tests: UTC+1 in March, so a local time differs from the UTC one. */
const ZONE = 'Europe/Paris';
const HOUR = 3_600_000;

/** What the chart's script should write for an hourly bucket, formatted here as it is there. */
function localBucket(tMs: number): string {
  return new Intl.DateTimeFormat('en', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    timeZone: ZONE,
  }).format(tMs);
}

describe('the node detail page in a real browser', () => {
  let browser: Browser;
  let server: HistoryServer;

  before(async () => {
    browser = await launchChromium();
    server = await startHistoryServer({ configure: brandImagesUnderPageUrl });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('reached from the main page; charts drawn, hover and arrow keys read out values in local time', async () => {
    const context = await browser.newContext({ timezoneId: ZONE, viewport: { width: 1280, height: 900 } });
    try {
      const { page, problems, requests } = await openRecordedPage(context, `${server.url}/`);
      await page.click('a.node-details:text-is("API")');
      await page.waitForURL(`${server.url}/node/web/api/`);
      assert.equal(await page.title(), 'API – Website – Test Status');

      // Both charts are drawn at a readable size, the uptime columns in Vigil's colours.
      for (const chart of ['svg.uptime-chart', 'svg.latency-chart']) {
        const box = await page.locator(chart).boundingBox();
        assert.ok(box && box.width > 600 && box.height > 150, `${chart}: ${JSON.stringify(box)}`);
        assert.equal(await page.locator(`${chart} .targets rect`).count(), 24, chart);
      }
      assert.equal(
        await page.evaluate(
          `getComputedStyle(document.querySelector('svg.uptime-chart .state-healthy')).fill`,
        ),
        'rgb(14, 176, 51)',
      );
      const p95Path = await page.getAttribute('svg.latency-chart path.p95', 'd');
      assert.match(p95Path ?? '', /^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)+/);

      // Hovering a bucket reads it out: its start in the reader's zone and the value its title gives.
      const bucket = page.locator('svg.latency-chart .targets rect').nth(22);
      await bucket.hover();
      const startMs = Math.floor(NOW / HOUR) * HOUR - HOUR;
      const value = await bucket.getAttribute('data-value');
      assert.match(value ?? '', /^p50 \d+ ms, p95 \d+ ms$/);
      const readout = page.locator('svg.latency-chart + .chart-readout');
      assert.equal(await readout.textContent(), `${localBucket(startMs)}: ${value}`);
      assert.match(localBucket(startMs), /15:00|03:00 PM/, 'UTC 14:00 is 15:00 in Paris');
      assert.equal(await page.getAttribute('svg.latency-chart .cursor', 'visibility'), 'visible');

      // By keyboard: focus gives the latest bucket, the arrow keys move through them.
      await page.focus('svg.uptime-chart');
      const uptimeReadout = page.locator('svg.uptime-chart + .chart-readout');
      const uptimeTargets = page.locator('svg.uptime-chart .targets rect');
      assert.equal(
        await uptimeReadout.textContent(),
        `${localBucket(startMs + HOUR)}: ${await uptimeTargets.nth(23).getAttribute('data-value')}`,
      );
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      assert.equal(
        await uptimeReadout.textContent(),
        `${localBucket(startMs - HOUR)}: ${await uptimeTargets.nth(21).getAttribute('data-value')}`,
      );
      await page.keyboard.press('Home');
      assert.match((await uptimeReadout.textContent()) ?? '', /: (100\.00% up|No data)$/);
      await page.screenshot({ path: `${ARTIFACTS}node-page-24h.png`, fullPage: true });

      // The period switch is plain links; 90 days reads out UTC dates.
      await page.click('nav.periods a:text-is("Last 90 days")');
      await page.waitForURL(`${server.url}/node/web/api/?period=90d`);
      assert.equal(await page.locator('svg.uptime-chart .targets rect').count(), 90);
      assert.equal(await page.getAttribute('nav.periods a[aria-current="page"]', 'href'), '?period=90d');
      await page.locator('svg.uptime-chart .targets rect').nth(88).hover();
      assert.match((await uptimeReadout.textContent()) ?? '', /^Mar 9, 2026: 100\.00% up$/);
      await page.screenshot({ path: `${ARTIFACTS}node-page-90d.png`, fullPage: true });

      assertCleanVisit({ problems, requests }, server.url);
    } finally {
      await context.close();
    }
  });

  test("the main page's times are rewritten to the reader's zone, the UTC text kept as their title", async () => {
    const context = await browser.newContext({ timezoneId: ZONE });
    try {
      const { page, problems } = await openRecordedPage(context, `${server.url}/`);
      const first = page.locator('.incident-time time').first();
      const datetime = (await first.getAttribute('datetime')) ?? '';
      const utcText = (await first.getAttribute('title')) ?? '';
      assert.match(utcText, /UTC\+00:00$/, 'the server wrote UTC');
      const expected = new Intl.DateTimeFormat('en', {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        timeZoneName: 'short',
        timeZone: ZONE,
      }).format(Date.parse(datetime));
      assert.equal(await first.textContent(), expected);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }

    // Without JavaScript, the same time stays in UTC and the charts keep their titles.
    const noScript = await browser.newContext({ javaScriptEnabled: false, timezoneId: ZONE });
    try {
      const { page } = await openRecordedPage(noScript, `${server.url}/`);
      assert.match((await page.locator('.incident-time time').first().textContent()) ?? '', /UTC\+00:00$/);
      await page.goto(`${server.url}/node/data/db/?period=7d`);
      assert.equal(await page.locator('svg.uptime-chart .targets rect title').count(), 168);
      assert.equal(await page.locator('.chart-readout').first().textContent(), '');
    } finally {
      await noScript.close();
    }
  });

  test('axe finds no violations on the node page, in both schemes and every period; phones do not scroll sideways', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      // Our CSP (rightly) refuses the injected inline axe script; this context lets it in.
      const context = await browser.newContext({
        bypassCSP: true,
        colorScheme,
        viewport: { width: 1280, height: 900 },
      });
      try {
        for (const period of ['24h', '7d', '90d']) {
          const { page } = await openRecordedPage(context, `${server.url}/node/data/db/?period=${period}`);
          assert.deepEqual(await runAxe(page), [], `${colorScheme} ${period}`);
          await page.close();
        }
      } finally {
        await context.close();
      }
    }
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
    try {
      const { page, problems } = await openRecordedPage(phone, `${server.url}/node/web/api/?period=7d`);
      assert.ok(await page.evaluate('document.documentElement.scrollWidth <= 360'));
      await page.screenshot({ path: `${ARTIFACTS}node-page-mobile-360.png`, fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await phone.close();
    }
  });
});
