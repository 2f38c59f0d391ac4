import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { RunningVigil } from '../../src/main.js';
import { managerGet, SEEDED_TARGETS, startConsoleVigil } from '../helpers/admin-console.js';
import { waitFor } from '../helpers/vigil.js';
import { launchChromium, openRecordedPage, runAxe } from './browser-harness.js';

/** A page on another origin (another port) with a form aimed at the console, as an attacker would post it. */
async function startForeignSite(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const page = `<!doctype html><html lang="en"><head><title>Elsewhere</title></head><body><main>
<form method="post" action="${target}/admin/announcements"><input name="title" value="Forged"><input name="text" value="x">
<button type="submit">Win a prize</button></form></main></body></html>`;
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function signIn(page: Page, token = 'manager-secret') {
  await page.fill('#token', token);
  await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Sign in")')]);
}

const textOf = async (locator: Locator) => (await locator.textContent()) ?? '';
const noticeText = (page: Page) => textOf(page.locator('.notice'));

describe('admin console in Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startConsoleVigil>>;
  let vigil: RunningVigil;

  before(async () => {
    browser = await launchChromium();
    server = await startConsoleVigil();
    vigil = server.vigil;
  });
  after(async () => {
    await browser.close();
    await server.stop();
  });

  test('sign-in, each form and sign-out work without a script, under the console policy', async () => {
    const context = await browser.newContext();
    try {
      const { page, problems } = await openRecordedPage(context, `${vigil.url}/admin`);
      await signIn(page, 'not-the-token');
      assert.match(await textOf(page.locator('[role="alert"]')), /Wrong token/);
      assert.equal(await page.getAttribute('#token', 'aria-describedby'), 'sign-in-problem');
      await signIn(page);
      assert.equal(await textOf(page.locator('h1')), 'Admin console');
      const [cookie] = await context.cookies(`${vigil.url}/admin`);
      assert.deepEqual(
        { name: cookie?.name, httpOnly: cookie?.httpOnly, sameSite: cookie?.sameSite, path: cookie?.path },
        { name: 'vigil_admin_session', httpOnly: true, sameSite: 'Strict', path: '/admin' },
      );
      assert.equal(await page.evaluate('document.cookie'), '', 'scripts cannot read the session');

      // Publish, and the status page shows it.
      await page.fill('#new-title', 'Database upgrade');
      await page.fill('#new-text', 'From 22:00 UTC.\nExpect short pauses.');
      await page.selectOption('#new-severity', 'warning');
      await page.click('button:has-text("Publish")');
      assert.match(await noticeText(page), /Published “Database upgrade”/);
      await waitFor('the announcement on the status page', async () =>
        (await (await fetch(`${vigil.url}/`)).text()).includes('Database upgrade'),
      );

      // A refused post keeps what was typed and says why.
      await page.fill('#new-title', 'Second <one>');
      await page.fill('#new-text', 'x');
      await page.fill('#new-expires', 'tomorrow');
      await page.click('button:has-text("Publish")');
      assert.match(await textOf(page.locator('[role="alert"]')), /expires_at must be an RFC 3339 time/);
      assert.equal(await page.inputValue('#new-title'), 'Second <one>');

      // Edit in place.
      await page.click('summary:has-text("Edit")');
      assert.equal(await page.inputValue('#edit-0-title'), 'Database upgrade');
      assert.equal(await page.inputValue('#edit-0-severity'), 'warning');
      await page.fill('#edit-0-title', 'Database upgrade (moved)');
      await page.fill('#edit-0-expires', '2099-01-01T00:00:00Z');
      await page.click('button:has-text("Save changes")');
      assert.match(await noticeText(page), /Saved “Database upgrade \(moved\)”/);
      assert.match(await textOf(page.locator('.item .meta')), /expires 2099-01-01 00:00:00 UTC/);

      // Declare an incident (on the status page at once), then resolve it with an update.
      await page.fill('#incident-title', 'Checkout errors');
      await page.selectOption('#incident-status', 'identified');
      await page.fill('#incident-message', 'Payments fail for some.');
      await page.locator('form[action="/admin/incidents"]').getByLabel('Web / App').check();
      await page.click('button:has-text("Declare")');
      assert.match(await noticeText(page), /Declared “Checkout errors”/);
      await waitFor('the incident on the status page', async () =>
        (await (await fetch(`${vigil.url}/`)).text()).includes('Checkout errors'),
      );
      await page.click('summary:has-text("Post an update")');
      await page.selectOption('#incident-0-status', 'resolved');
      await page.fill('#incident-0-message', 'All payments go through again.');
      await page.click('button:has-text("Post update")');
      assert.match(await noticeText(page), /Posted a “resolved” update/);
      const { incidents } = (await managerGet(vigil, '/manager/incidents')) as {
        incidents: Array<{ status: string; nodes: string[] }>;
      };
      assert.deepEqual(
        incidents.map(({ status, nodes }) => ({ status, nodes })),
        [{ status: 'resolved', nodes: ['web:app'] }],
      );

      // A maintenance window over a whole service and a single node.
      await page.fill('#maintenance-title', 'Router swap');
      await page.fill('#maintenance-text', 'The LAN relay restarts.');
      await page.fill('#maintenance-starts', new Date(Date.now() - 60_000).toISOString());
      await page.fill('#maintenance-ends', new Date(Date.now() + 3_600_000).toISOString());
      const maintenanceForm = page.locator('form[action="/admin/maintenance"]');
      await maintenanceForm.getByLabel('Web', { exact: true }).check();
      await maintenanceForm.getByLabel('Relay / LAN').check();
      await page.click('button:has-text("Schedule")');
      assert.match(await noticeText(page), /Scheduled “Router swap”/);
      const windows = (await managerGet(vigil, '/manager/maintenances')) as Array<{
        services: string[];
        nodes: string[];
      }>;
      assert.deepEqual(
        windows.map(({ services, nodes }) => ({ services, nodes })),
        [{ services: ['web'], nodes: ['relay:lan'] }],
      );
      // Edited in place: a longer window, same services and nodes.
      await page.click('summary:has-text("Edit “Router swap”")');
      await page.fill('#maintenance-edit-0-title', 'Router swap, part 2');
      await page.fill('#maintenance-edit-0-ends', new Date(Date.now() + 7_200_000).toISOString());
      await page.click('button:has-text("Save changes") >> visible=true');
      assert.match(await noticeText(page), /Saved “Router swap, part 2”/);
      const edited = (await managerGet(vigil, '/manager/maintenances')) as Array<{
        title: string;
        services: string[];
        nodes: string[];
      }>;
      assert.deepEqual(
        edited.map(({ title, services, nodes }) => ({ title, services, nodes })),
        [{ title: 'Router swap, part 2', services: ['web'], nodes: ['relay:lan'] }],
      );
      await page.click('button:has-text("Delete “Router swap, part 2”")');
      assert.match(await noticeText(page), /Deleted “Router swap, part 2”/);
      assert.deepEqual(await managerGet(vigil, '/manager/maintenances'), []);

      // The ignore window.
      await page.fill('#ignore-seconds', '900');
      await page.click('button:has-text("Ignore reminders")');
      assert.match(await textOf(page.locator('#ignore-heading + p')), /ignored for another (899|900) s/);
      const { reminders_seconds: left } = (await managerGet(vigil, '/manager/prober/alerts/ignored')) as {
        reminders_seconds: number;
      };
      assert.ok(left > 890, `${left} s left`);
      await page.click('button:has-text("Stop ignoring reminders")');
      assert.match(await textOf(page.locator('#ignore-heading + p')), /sent as configured/);
      assert.deepEqual(await managerGet(vigil, '/manager/prober/alerts/ignored'), {
        reminders_seconds: null,
      });

      // Recent deliveries, newest first.
      const targets = await page.locator('tbody tr td:nth-child(3)').allInnerTexts();
      assert.deepEqual(targets, [SEEDED_TARGETS.failed, SEEDED_TARGETS.delivered]);

      // Delete, then sign out.
      await page.click('button:has-text("Delete “Database upgrade (moved)”")');
      assert.match(await noticeText(page), /Deleted “Database upgrade \(moved\)”/);
      assert.deepEqual(await managerGet(vigil, '/manager/announcements'), []);
      await page.click('button:has-text("Sign out")');
      assert.equal(await page.locator('#token').count(), 1);
      assert.deepEqual(await context.cookies(`${vigil.url}/admin`), []);
      // Chromium logs each refused post (the wrong token, the bad expiry); nothing else went wrong.
      assert.deepEqual(
        problems.map((problem) => /status of (\d+)/.exec(problem)?.[1] ?? problem),
        ['403', '400'],
        'no other console errors, CSP violations or failed loads',
      );
    } finally {
      await context.close();
    }
  });

  test('a form on another site cannot post to the console, even while signed in', async () => {
    const foreign = await startForeignSite(vigil.url);
    const context = await browser.newContext();
    try {
      const { page } = await openRecordedPage(context, `${vigil.url}/admin`);
      await signIn(page);
      const attack = await context.newPage();
      await attack.goto(foreign.url);
      const [response] = await Promise.all([
        attack.waitForResponse((each) => each.url().endsWith('/admin/announcements')),
        attack.click('button'),
      ]);
      assert.equal(response.status(), 403);
      await attack.waitForLoadState('load');
      assert.match(await textOf(attack.locator('[role="alert"]')), /CSRF check failed/);
      assert.deepEqual(await managerGet(vigil, '/manager/announcements'), []);
      // The console itself still works.
      await page.reload();
      assert.equal(await page.locator('#new-title').count(), 1);
    } finally {
      await context.close();
      await foreign.close();
    }
  });

  test('axe finds no violations on the sign-in, console and refusal pages, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      // axe is injected, which the console's policy (rightly) refuses.
      const context: BrowserContext = await browser.newContext({ bypassCSP: true, colorScheme });
      try {
        const { page } = await openRecordedPage(context, `${vigil.url}/admin`);
        assert.deepEqual(await runAxe(page), [], `${colorScheme} sign-in`);
        await signIn(page, 'wrong');
        assert.deepEqual(await runAxe(page), [], `${colorScheme} sign-in with an error`);
        await signIn(page);
        await page.fill('#new-title', 'Axe check');
        await page.fill('#new-text', 'x');
        await page.click('button:has-text("Publish")');
        await page.fill('#ignore-seconds', '60');
        await page.click('button:has-text("Ignore reminders")');
        await page.fill('#maintenance-title', 'Axe window');
        await page.fill('#maintenance-text', 'x');
        await page.fill('#maintenance-starts', new Date(Date.now() + 3_600_000).toISOString());
        await page.fill('#maintenance-ends', new Date(Date.now() + 7_200_000).toISOString());
        await page.check('#maintenance-service-0');
        await page.click('button:has-text("Schedule")');
        await page.fill('#incident-title', `Axe incident (${colorScheme})`);
        await page.fill('#incident-message', 'x');
        await page.click('button:has-text("Declare")');
        await page.click('summary:has-text("Edit")');
        await page.click('summary:has-text("Post an update")');
        assert.deepEqual(await runAxe(page), [], `${colorScheme} console`);
        await page.click('button:has-text("Delete “Axe check”")');
        await page.click('button:has-text("Delete “Axe window”")');
        await page.click('button:has-text("Stop ignoring reminders")');
        const refusal = await context.newPage();
        await refusal.setContent(
          `<form method="post" action="${vigil.url}/admin/ignore-window"><button>Go</button></form>`,
        );
        await Promise.all([refusal.waitForURL(`${vigil.url}/admin/ignore-window`), refusal.click('button')]);
        assert.match(await textOf(refusal.locator('h1')), /Refused/);
        assert.deepEqual(await runAxe(refusal), [], `${colorScheme} refusal`);
      } finally {
        await context.close();
      }
    }
  });
});
