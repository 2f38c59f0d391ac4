import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { loadConfigFile } from '../../src/config/load.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { BASE_CONFIG } from '../helpers/config.js';
import { REPORTED_PROBES } from '../helpers/store-vigil.js';
import { waitFor } from '../helpers/vigil.js';
import { CACHE_SERVICE, REFUSED_SERVICE } from './fixtures.js';

let dir: string;
let webhook: CaptureServer;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-reload-'));
  webhook = await startCaptureServer();
});
after(async () => {
  await webhook.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * REPORTED_PROBES (push and local: healthy until a test reports otherwise) and `extraProbes`, with a
 * webhook channel and a SQLite file beside the config `file`.
 */
function configText(file: string, extraProbes = '', branding = ''): string {
  const notify = `[notify]\n[notify.webhook]\nhook_url = "${webhook.url}/hook"\n`;
  const storage = `[storage]\npath = "${file}.db"\n`;
  const base = BASE_CONFIG.replace('page_title = "Test Status"', `page_title = "Test Status${branding}"`);
  return `${base}script_interval = 3600\n${notify}${storage}[probe]\n${REPORTED_PROBES}${extraProbes}`;
}

async function start(file: string): Promise<RunningVigil> {
  return startVigil({
    loaded: loadConfigFile(file, { env: {} }),
    logger: pino({ level: 'silent' }),
    listen: { host: '127.0.0.1', port: 0 },
    env: {},
  });
}

/** Timers, sockets and other resources keeping the event loop alive, by type. */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

test('20 reloads in a row leave listeners, timers and handles where they were', async () => {
  const file = join(dir, 'leak.cfg');
  writeFileSync(file, configText(file));
  const vigil = await start(file);
  try {
    // The startup alert, once: a reload takes over without announcing a start again.
    await webhook.waitFor(1);
    assert.equal(await vigil.reload(), 'unchanged');
    const listenersBefore = vigil.model.events.listenerCount();
    const resourcesBefore = activeResources();
    for (let round = 0; round < 20; round++) {
      // Alternating a new service and a new page title: each reload rebuilds probers and the dispatcher.
      writeFileSync(file, round % 2 === 0 ? configText(file, CACHE_SERVICE, ' B') : configText(file));
      assert.equal(await vigil.reload(), 'applied');
    }
    assert.deepEqual([...vigil.model.services.keys()], ['web', 'relay']);
    assert.equal(vigil.model.events.listenerCount(), listenersBefore);
    const resourcesAfter = activeResources();
    // A leak grows by one per reload (20 here). Timers and sockets in use at the moment of counting
    // vary by a few (a probe or an outbox write in flight, a keep-alive socket), hence the margin of 3.
    for (const [type, count] of resourcesAfter) {
      const before = resourcesBefore.get(type) ?? 0;
      assert.ok(count <= before + 3, `${type}: ${before} before, ${count} after 20 reloads`);
    }
    assert.equal(webhook.requests.length, 1, 'no startup alert per reload');
  } finally {
    await vigil.stop();
  }
});

test('a reload changes the branding served on the page and in /status/report', async () => {
  const file = join(dir, 'branding.cfg');
  writeFileSync(file, configText(file));
  const vigil = await start(file);
  try {
    writeFileSync(file, configText(file, '', ' Renamed'));
    assert.equal(await vigil.reload(), 'applied');
    const report = (await (await fetch(`${vigil.url}/status/report`)).json()) as { page: { name: string } };
    assert.equal(report.page.name, 'Test Status Renamed');
    // The page re-renders at most every 200 ms after a change, like after any other change.
    await waitFor('the page with the new title', async () =>
      /<title>Test Status Renamed<\/title>/.test(await (await fetch(`${vigil.url}/`)).text()),
    );
    assert.equal(vigil.settings.branding.page_title, 'Test Status Renamed');
  } finally {
    await vigil.stop();
  }
});

test('a reload to another language re-renders the page and its history in it', async () => {
  const file = join(dir, 'language.cfg');
  writeFileSync(file, configText(file));
  const vigil = await start(file);
  try {
    const page = async () => (await fetch(`${vigil.url}/`)).text();
    await waitFor('the history on the page', async () => (await page()).includes('Past incidents'));
    writeFileSync(file, configText(file).replace('[branding]', '[branding]\nlanguage = "fr"'));
    assert.equal(await vigil.reload(), 'applied');
    await waitFor('the page in French', async () => {
      const html = await page();
      return html.includes('<html lang="fr"') && html.includes('Incidents passés');
    });
  } finally {
    await vigil.stop();
  }
});

test('keys only a restart applies keep their running value', async () => {
  const file = join(dir, 'restart.cfg');
  writeFileSync(file, configText(file));
  const vigil = await start(file);
  try {
    writeFileSync(
      file,
      configText(file, CACHE_SERVICE).replace(
        'reporter_token = "reporter-secret"',
        'reporter_token = "rotated"',
      ),
    );
    assert.equal(await vigil.reload(), 'applied');
    assert.equal(vigil.settings.server.reporter_token, 'reporter-secret');
    assert.ok(vigil.model.services.has('cache'));
  } finally {
    await vigil.stop();
  }
});

test('an alert whose delivery a reload interrupts is delivered by the new dispatcher', async () => {
  const file = join(dir, 'outbox.cfg');
  writeFileSync(file, configText(file));
  webhook.reply('hang');
  const vigil = await start(file);
  try {
    const seen = webhook.requests.length;
    // The startup alert's first attempt hangs, so it is in flight when the reload stops the dispatcher.
    await webhook.waitFor(seen + 1);
    webhook.reply({ status: 200 });
    writeFileSync(file, configText(file, CACHE_SERVICE));
    assert.equal(await vigil.reload(), 'applied');
    await webhook.waitFor(seen + 2);
    const [interrupted, delivered] = webhook.requests.slice(seen);
    assert.equal(delivered?.body, interrupted?.body, 'the same alert again');
  } finally {
    webhook.reply({ status: 200 });
    await vigil.stop();
  }
});

test('alerts after a reload cover the services it added', async () => {
  const file = join(dir, 'scope.cfg');
  writeFileSync(file, configText(file));
  const vigil = await start(file);
  try {
    await webhook.waitFor(webhook.requests.length + 1);
    const seen = webhook.requests.length;
    writeFileSync(file, configText(file, REFUSED_SERVICE));
    assert.equal(await vigil.reload(), 'applied');
    await webhook.waitFor(seen + 1);
    const alert = webhook.requests[seen]?.body ?? '';
    assert.match(alert, /dead/);
    assert.match(alert, /db:pg:tcp:\/\/127\.0\.0\.1:1/);
  } finally {
    await vigil.stop();
  }
});
