import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { exited, spawnCli } from '../helpers/cli.js';
import { BASE_CONFIG, MIXED_PROBES } from '../helpers/config.js';

/** Runs the CLI without blocking this process, which serves the capture endpoints. */
async function vigil(args: string[]) {
  const child = spawnCli(args);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const { code } = await exited(child);
  return { code, stdout, stderr };
}

describe('vigil notify-test', () => {
  let dir: string;
  let webhook: CaptureServer;
  let slack: CaptureServer;
  let config: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-notify-test-'));
    webhook = await startCaptureServer();
    slack = await startCaptureServer();
    slack.reply({ status: 500, body: 'slack is down' });
    config = join(dir, 'config.cfg');
    writeFileSync(
      config,
      `${BASE_CONFIG}\n[probe]\n${MIXED_PROBES}\n` +
        `[notify]\n[notify.slack]\nhook_url = "${slack.url}/hook"\nreminders_only = true\n` +
        `[notify.webhook]\nhook_url = "${webhook.url}/hook"\n`,
    );
  });
  after(async () => {
    await Promise.all([webhook.close(), slack.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('sends a marked test alert through every channel, reminders_only too, and exits 1 if one failed', async () => {
    const result = await vigil(['notify-test', '-c', config]);
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^slack: failed after \d+ ms: .*answered HTTP 500: slack is down$/);
    assert.match(lines[1] ?? '', /^webhook: ok \(\d+ ms\)$/);
    const payload = JSON.parse(webhook.requests.at(-1)?.body ?? '{}');
    assert.equal(payload.test, true);
    assert.match(JSON.parse(slack.requests.at(-1)?.body ?? '{}').text, /^\[TEST\] /);
  });

  test('--channel sends through that channel only and exits 0 when it succeeded', async () => {
    const before = slack.requests.length;
    const result = await vigil(['notify-test', '-c', config, '--channel', 'webhook']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout.trim(), /^webhook: ok \(\d+ ms\)$/);
    assert.equal(slack.requests.length, before);
  });

  test('a channel that is not configured, or no [notify] at all, is exit 1 with the reason', async () => {
    const missing = await vigil(['notify-test', '-c', config, '--channel', 'email']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no \[notify\.email\] table is configured \(configured: slack, webhook\)/);

    const bare = join(dir, 'bare.cfg');
    writeFileSync(bare, `${BASE_CONFIG}\n[probe]\n${MIXED_PROBES}`);
    const none = await vigil(['notify-test', '-c', bare]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /has no \[notify\] section/);
  });
});
