import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { storeOutbox } from '../../src/notify/store-outbox.js';
import { openStore } from '../../src/store/open.js';
import { systemClock } from '../../src/time/clock.js';
import { startCaptureServer } from '../helpers/capture-server.js';
import { exited } from '../helpers/cli.js';
import { createHarness, DB_1 } from './dispatcher-harness.js';

const CHILD = fileURLToPath(new URL('./dispatcher-crash-child.ts', import.meta.url));

/** Resolves when the child prints `line`; rejects if it exits or takes longer than `timeoutMs`. */
function printed(child: ReturnType<typeof spawn>, line: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`no "${line}" within ${timeoutMs} ms: ${output}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      if (output.split('\n').includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before "${line}": ${output}`)));
  });
}

test('kill -9 with an undelivered alert, then a restart: delivered exactly once per channel, nothing re-sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
  const webhook = await startCaptureServer();
  const slack = await startCaptureServer();
  slack.reply({ status: 500 });
  const path = join(dir, 'vigil.db');
  const tables = `[notify.slack]\nhook_url = "${slack.url}/hook"\n[notify.webhook]\nhook_url = "${webhook.url}/hook"\n`;
  try {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, path, tables], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await printed(child, 'ready');
    child.kill('SIGKILL');
    assert.equal((await exited(child)).signal, 'SIGKILL');
    assert.equal(webhook.requests.length, 1, 'the webhook had the dead alert before the crash');
    assert.equal(slack.requests.length, 1, 'slack failed once and waits for its retry');

    slack.reply({ status: 200 });
    const store = await openStore({ engine: 'sqlite', path });
    const restarted = createHarness({
      notify: `[notify]\nstartup_notification = true\n${tables}`,
      clock: systemClock,
      outbox: storeOutbox(store),
    });
    try {
      await restarted.dispatcher.start();
      restarted.set(DB_1, 'dead');
      restarted.dispatcher.settled();
      const deadline = Date.now() + 10_000;
      while ((await store.outbox.pending()).length > 0) {
        assert.ok(Date.now() < deadline, 'the pending delivery was not resumed');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(slack.requests.length, 2, 'one failed attempt, one delivery');
      assert.match(JSON.parse(slack.requests[1]?.body ?? '{}').text, /changed to: \*dead\*/);
      assert.equal(webhook.requests.length, 1, 'no startup while restored dead, no second dead');
    } finally {
      await restarted.stop();
      await store.close();
    }
  } finally {
    await Promise.all([webhook.close(), slack.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
});
