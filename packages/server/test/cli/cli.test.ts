import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FIXTURE_PATH } from '../config/minimal-config.js';
import { exited, freePort, REPO_ROOT, runCli, spawnCli, waitForHttp } from '../helpers/cli.js';
import { BASE_CONFIG, MIXED_PROBES } from '../helpers/config.js';

const BAD_SLACK = '[notify]\n[notify.slack]\nhook_url = "not a url"\n';

describe('vigil check-config', () => {
  test("accepts a config setting every key of Vigil's sample and prints a one-line summary", () => {
    const result = runCli(['check-config', '-c', FIXTURE_PATH]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /4 services, 7 nodes \(4 poll, 1 push, 1 script, 1 local\)/);
    assert.equal(result.stdout.trim().split('\n').length, 1);
  });

  test('accepts the default config shipped with the repository', () => {
    const result = runCli(['check-config'], { cwd: REPO_ROOT });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^\.\/config\.cfg: ok/);
  });

  test('rejects a broken config with exit 1 and names the file and key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    try {
      const file = join(dir, 'broken.cfg');
      writeFileSync(file, `${BASE_CONFIG}poll_parallelism = 0\n[probe]\n${MIXED_PROBES}`);
      const result = runCli(['check-config', '-c', file]);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /broken\.cfg: metrics\.poll_parallelism: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rejects a bad [notify.*] table with exit 1, the file and the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    try {
      const file = join(dir, 'notify.cfg');
      writeFileSync(file, `${BASE_CONFIG}${BAD_SLACK}[probe]\n${MIXED_PROBES}`);
      const result = runCli(['check-config', '-c', file]);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /notify\.cfg: notify\.slack\.hook_url: must be an absolute URL/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing file is exit 1 with its path', () => {
    const result = runCli(['check-config', '-c', '/nonexistent/vigil.cfg']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /\/nonexistent\/vigil\.cfg/);
  });
});

test('--version and --help answer without a config', () => {
  assert.match(runCli(['--version']).stdout, /^vigil \d+\.\d+\.\d+ \(Vigil TS\)/);
  const help = runCli(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /check-config/);
  assert.match(help.stdout, /-c, --config <file>/);
});

describe('vigil serving', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-serve-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a bad config exits non-zero before listening', async () => {
    const file = join(dir, 'bad.cfg');
    writeFileSync(file, '[server]\nmanager_token = "x"\n');
    const child = spawnCli(['-c', file]);
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const { code } = await exited(child);
    assert.equal(code, 1);
    assert.match(stderr, /bad\.cfg: server\.reporter_token: missing required key/);
  });

  test('a bad channel table exits 1 with the file and key before listening', async () => {
    const port = await freePort();
    const file = join(dir, 'bad-notify.cfg');
    const base = BASE_CONFIG.replace('127.0.0.1:0', `127.0.0.1:${port}`);
    writeFileSync(file, `${base}${BAD_SLACK}[probe]\n${MIXED_PROBES}`);
    const child = spawnCli(['-c', file]);
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const { code } = await exited(child);
    assert.equal(code, 1);
    assert.match(stderr, /bad-notify\.cfg: notify\.slack\.hook_url: must be an absolute URL/);
    assert.doesNotMatch(stderr, /could not start/);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`), 'never listened');
  });

  test('serves, takes a report, and stops gracefully on SIGTERM within 5 s', async () => {
    const port = await freePort();
    const file = join(dir, 'serve.cfg');
    const storage = `\n[storage]\npath = "${join(dir, 'vigil.db')}"\n`;
    writeFileSync(
      file,
      `${BASE_CONFIG.replace('127.0.0.1:0', `127.0.0.1:${port}`)}${storage}\n[probe]\n${MIXED_PROBES}`,
    );
    const child = spawnCli(['-c', file]);
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitForHttp(`${base}/status/text`);
      const report = await fetch(`${base}/reporter/web/app/`, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(':reporter-secret').toString('base64')}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ replica: 'h1', interval: 30, load: { cpu: 0.1, ram: 0.1 } }),
      });
      assert.equal(report.status, 200);
      const startedStopping = Date.now();
      child.kill('SIGTERM');
      const { code } = await exited(child);
      assert.equal(code, 0);
      assert.ok(Date.now() - startedStopping < 5000, 'stopped within 5 s');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
