// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} placeholders are the subject of some tests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FIXTURE_PATH } from '../config/minimal-config.js';
import { exited, freePort, REPO_ROOT, runCli, spawnCli, waitForHttp } from '../helpers/cli.js';
import { BASE_CONFIG, MIXED_PROBES } from '../helpers/config.js';
import { basicAuth } from '../helpers/server.js';

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

describe('vigil command line', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-args-'));
    file = join(dir, 'args.cfg');
    writeFileSync(file, `${BASE_CONFIG}[probe]\n${MIXED_PROBES}`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the config file is taken as -c FILE, -c=FILE, --config FILE and --config=FILE, before or after the subcommand', () => {
    const forms = [
      ['check-config', `-c=${file}`],
      ['check-config', '--config', file],
      ['check-config', `--config=${file}`],
      [`-c=${file}`, 'check-config'],
    ];
    for (const args of forms) {
      const result = runCli(args);
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout.split(': ok, ')[0], file, args.join(' '));
    }
  });

  test('a misspelt subcommand exits 2 and suggests the right one', () => {
    const result = runCli(['check-confg', '-c', file]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown command 'check-confg'\n\(Did you mean check-config\?\)/);
    assert.equal(result.stdout, '');
  });

  test('other usage errors exit 2; an invalid config stays exit 1', () => {
    for (const args of [['--bogus'], ['check-config', '-c'], ['check-config', 'extra']]) {
      assert.equal(runCli(args).status, 2, args.join(' '));
    }
    assert.equal(runCli(['check-config', '-c', join(dir, 'missing.cfg')]).status, 1);
  });

  test('an unset ${VAR} fails check-config with the file, line, key and variable; ${VAR:-default} fills in', () => {
    const withVariable = join(dir, 'variable.cfg');
    writeFileSync(
      withVariable,
      `${BASE_CONFIG.replace('"manager-secret"', '"${VIGIL_TEST_UNSET_TOKEN}"')}[probe]\n${MIXED_PROBES}`,
    );
    const result = runCli(['check-config', '-c', withVariable]);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      `error: ${withVariable}:5: server.manager_token: \${VIGIL_TEST_UNSET_TOKEN} names an environment variable ` +
        'that is not set; set it, or give a default as in ${VIGIL_TEST_UNSET_TOKEN:-value}\n',
    );
    const withDefault = join(dir, 'default.cfg');
    writeFileSync(
      withDefault,
      `${BASE_CONFIG.replace('"manager-secret"', '"${VIGIL_TEST_UNSET_TOKEN:-x}"')}[probe]\n${MIXED_PROBES}`,
    );
    assert.equal(runCli(['check-config', '-c', withDefault]).status, 0);
  });
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

  /** Starts `vigil` with `args`, collecting stdout; stop() sends SIGTERM and waits for the output to end. */
  function serveWith(args: string[]) {
    const child = spawnCli(args);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const closed = new Promise((resolve) => child.once('close', resolve));
    return {
      stdout: () => stdout,
      async waitFor(pattern: RegExp, what: string) {
        const deadline = Date.now() + 20_000;
        while (!pattern.test(stdout)) {
          if (Date.now() > deadline) throw new Error(`no ${what} in: ${stdout}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      async stop() {
        child.kill('SIGTERM');
        await closed;
      },
    };
  }

  test("at Vigil's default level error, one start line says version, URL and counts (-c=FILE)", async () => {
    const port = await freePort();
    const file = join(dir, 'quiet.cfg');
    const config = BASE_CONFIG.replace('log_level = "off"\n', '').replace('127.0.0.1:0', `127.0.0.1:${port}`);
    writeFileSync(file, `${config}\n[storage]\npath = "${join(dir, 'quiet.db')}"\n[probe]\n${MIXED_PROBES}`);
    const vigil = serveWith([`-c=${file}`]);
    try {
      await vigil.waitFor(/started/, 'start line');
    } finally {
      await vigil.stop();
    }
    const lines = vigil.stdout().trim().split('\n');
    assert.equal(lines.length, 1, vigil.stdout());
    const line = JSON.parse(lines[0] ?? '') as { level: string; msg: string };
    assert.equal(line.level, 'info');
    assert.match(
      line.msg,
      new RegExp(
        `^Vigil TS \\d+\\.\\d+\\.\\d+ started with ${file}, listening on http://127\\.0\\.0\\.1:${port}: ` +
          '2 services, 4 nodes \\(1 poll, 1 push, 1 script, 1 local\\), 3 replicas \\(1 tcp, 1 http, 1 script\\) configured',
      ),
    );
  });

  test('at debug, each probe result and each report is logged, with credentials redacted (--config=FILE)', async () => {
    const target = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as AddressInfo).port;
    const port = await freePort();
    const replica = `http://probe-user:probe-password@127.0.0.1:${targetPort}/health?token=probe-token&view=1`;
    const probes = MIXED_PROBES.replace('"http://127.0.0.1:1/health", "tcp://127.0.0.1:1"', `"${replica}"`);
    const file = join(dir, 'debug.cfg');
    const config = BASE_CONFIG.replace('log_level = "off"', 'log_level = "debug"').replace(
      '127.0.0.1:0',
      `127.0.0.1:${port}`,
    );
    writeFileSync(file, `${config}\n[storage]\npath = "${join(dir, 'debug.db')}"\n[probe]\n${probes}`);
    const vigil = serveWith([`--config=${file}`]);
    try {
      await vigil.waitFor(/started/, 'start line');
      await vigil.waitFor(/"probed web:api:/, 'probe line');
      const report = await fetch(`http://127.0.0.1:${port}/reporter/web/app/`, {
        method: 'POST',
        headers: { Authorization: basicAuth('reporter-secret'), 'Content-Type': 'application/json' },
        body: JSON.stringify({ replica: 'host-1', interval: 30, load: { cpu: 0.1, ram: 0.1 } }),
      });
      assert.equal(report.status, 200);
      await vigil.waitFor(/"report for web:app:host-1/, 'report line');
    } finally {
      await vigil.stop();
      target.close();
    }
    const lines = vigil
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { time: string; msg: string });
    for (const line of lines) assert.match(line.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const messages = lines.map((line) => line.msg);
    const redacted = `http://***@127.0.0.1:${targetPort}/health?token=***&view=1`;
    const probed = `probed web:api:${redacted}: healthy (`;
    assert.ok(
      messages.some(
        (message) => message.startsWith(probed) && /^\d+ ms\)$/.test(message.slice(probed.length)),
      ),
      vigil.stdout(),
    );
    assert.ok(
      messages.includes('report for web:app:host-1 (push, cpu 0.1, ram 0.1, every 30 s): ok'),
      vigil.stdout(),
    );
    for (const secret of ['probe-user', 'probe-password', 'probe-token']) {
      assert.ok(!vigil.stdout().includes(secret), `${secret} leaked into the log`);
    }
  });
});
