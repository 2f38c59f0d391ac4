import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../src/version.js';
import { messagesOf, runCli, spawnCli } from './helpers/cli.js';
import { waitFor } from './helpers/relay.js';
import { startTestVigil } from './helpers/vigil-server.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/vigil-local-config.cfg', import.meta.url));

describe('vigil-local CLI', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-local-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('--version and --help', () => {
    assert.deepEqual(runCli(['--version']), {
      status: 0,
      stdout: `vigil-local ${VERSION} (Vigil TS)\n`,
      stderr: '',
    });
    const help = runCli(['-h']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: vigil-local \[-c FILE\]/);
    assert.match(help.stdout, /check-config/);
  });

  test("check-config accepts a config with every key of Vigil Local's sample and summarises it", () => {
    const result = runCli(['check-config', '-c', FIXTURE]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      result.stdout,
      `${FIXTURE}: ok, 1 services, 2 nodes, 4 replicas, reported to https://status.harbour.example every 90 s\n`,
    );
  });

  test('a broken config exits 1 with every problem on stderr', async () => {
    const file = join(dir, 'broken.cfg');
    await writeFile(
      file,
      '[server]\n[report]\nendpoint = "http://x"\n[metrics]\ninterval = -1\n[probe]\nservice = []\n',
    );
    const result = runCli(['check-config', '-c', file]);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      `error: ${file}: report.token: missing required key\n` +
        `error: ${file}: metrics.interval: must be an integer from 1 to 31536000, got -1\n`,
    );
  });

  test('usage errors exit 2; a misspelt subcommand gets a suggestion', () => {
    const misspelt = runCli(['check-confg']);
    assert.equal(misspelt.status, 2);
    assert.match(misspelt.stderr, /unknown command 'check-confg'\n\(Did you mean check-config\?\)/);
    assert.equal(runCli(['--bogus']).status, 2);
  });

  test('the config file is taken as -c=FILE and --config=FILE, as Vigil Local users write it', () => {
    for (const args of [
      ['check-config', `-c=${FIXTURE}`],
      ['check-config', `--config=${FIXTURE}`],
      [`-c=${FIXTURE}`, 'check-config'],
    ]) {
      const result = runCli(args);
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
      assert.ok(result.stdout.startsWith(`${FIXTURE}: ok, `), args.join(' '));
    }
  });

  test('relays to a server, then stops gracefully on SIGTERM', async () => {
    const vigil = await startTestVigil(
      '[[probe.service]]\nid = "internal"\nlabel = "Internal"\n' +
        '[[probe.service.node]]\nid = "jobs"\nlabel = "Jobs"\nmode = "local"\n',
    );
    after(() => vigil.stop());
    const file = join(dir, 'relay.cfg');
    await writeFile(
      file,
      `[server]\nlog_level = "info"\n[report]\nendpoint = "${vigil.url}"\ntoken = "reporter-secret"\n` +
        '[metrics]\ninterval = 60\n[probe]\n[[probe.service]]\nid = "internal"\n' +
        '[[probe.service.node]]\nid = "jobs"\nmode = "script"\nscripts = ["exit 0"]\n',
    );
    const { child, closed, stdout } = spawnCli(['-c', file]);
    // Starting tsx, Vigil Local's 2 s hold, then the first cycle: generous, as a loaded CI box can
    // take several seconds just to start the child.
    await waitFor(
      () => vigil.model.node('internal', 'jobs')?.replicas.get('0')?.health === 'healthy',
      'a report',
      30_000,
    );
    const stoppingMs = Date.now();
    child.kill('SIGTERM');
    assert.deepEqual(await closed, { code: 0, signal: null });
    assert.ok(Date.now() - stoppingMs < 5000);
    const messages = messagesOf(stdout());
    assert.match(messages[0] ?? '', /^vigil-local .* \(Vigil TS\) started with .*relay\.cfg: 1 services, /);
    assert.deepEqual(messages.slice(-2), ['SIGTERM received, shutting down', 'stopped'], stdout());
  });

  test("at Vigil Local's default level error, one start line says version, file and counts (-c=FILE)", async () => {
    const file = join(dir, 'quiet.cfg');
    await writeFile(
      file,
      '[server]\n[report]\nendpoint = "http://127.0.0.1:9"\ntoken = "t"\n[metrics]\n[probe]\n' +
        '[[probe.service]]\nid = "internal"\n[[probe.service.node]]\nid = "jobs"\nmode = "script"\n' +
        'scripts = ["exit 0", "exit 1"]\n',
    );
    const { child, closed, stdout } = spawnCli([`-c=${file}`]);
    await waitFor(() => stdout().includes('started with'), 'the start', 30_000);
    child.kill('SIGTERM');
    await closed;
    const lines = stdout().trim().split('\n');
    assert.equal(lines.length, 1, stdout());
    const line = JSON.parse(lines[0] ?? '') as { level: string; msg: string };
    assert.equal(line.level, 'info');
    assert.equal(
      line.msg,
      `vigil-local ${VERSION} (Vigil TS) started with ${file}: 1 services, 1 nodes, 2 replicas, reported to ` +
        'http://127.0.0.1:9 every 120 s, 8 at a time',
    );
  });

  test('at debug, each probe result is logged with the credentials of its URL redacted (--config=FILE)', async () => {
    const target = createServer((_request, response) => response.end());
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as AddressInfo).port;
    after(() => target.close());
    const file = join(dir, 'debug.cfg');
    await writeFile(
      file,
      '[server]\nlog_level = "debug"\n[report]\nendpoint = "http://relay-user:relay-password@127.0.0.1:9"\n' +
        'token = "t"\n[metrics]\n[probe]\n[[probe.service]]\nid = "internal"\n[[probe.service.node]]\n' +
        `id = "web"\nmode = "poll"\nreplicas = ["http://probe-user:probe-password@127.0.0.1:${port}/?token=probe-token"]\n`,
    );
    const { child, closed, stdout } = spawnCli([`--config=${file}`]);
    await waitFor(() => stdout().includes('probed internal:web:'), 'a probe line', 30_000);
    child.kill('SIGTERM');
    await closed;
    assert.match(
      stdout(),
      new RegExp(
        `"probed internal:web:http://\\*\\*\\*@127\\.0\\.0\\.1:${port}/\\?token=\\*\\*\\*: healthy \\(\\d+ ms\\)"`,
      ),
    );
    assert.match(stdout(), /reported to http:\/\/\*\*\*@127\.0\.0\.1:9 every/);
    for (const secret of ['probe-user', 'probe-password', 'probe-token', 'relay-user', 'relay-password']) {
      assert.ok(!stdout().includes(secret), `${secret} leaked into the log`);
    }
  });
});
