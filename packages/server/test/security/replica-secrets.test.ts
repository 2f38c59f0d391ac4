import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { apiClient } from '../helpers/api-contract.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { exited, freePort, spawnCli, waitForHttp } from '../helpers/cli.js';
import { BASE_CONFIG } from '../helpers/config.js';
import { basicAuth } from '../helpers/server.js';
import { waitFor } from '../helpers/vigil.js';

const PASSWORD = 'pw-5e3b9f';
const TOKEN = 'tok-8c1d27';
const SECRETS = [PASSWORD, TOKEN, Buffer.from(`probe:${PASSWORD}`).toString('base64')];

/**
 * A poll replica whose URL carries a password and a token: the prober must use both, and nothing
 * the server lets out (logs at debug level, page, APIs, metrics, alerts, the store file) may hold
 * them. Runs the real `vigil` binary so every consumer is the one users get.
 */
let folder: string;
let capture: CaptureServer;
let target: Server;
let targetUp = true;
const targetAuthorizations: Array<string | undefined> = [];
let vigil: ChildProcess;
let output = '';
let base: string;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
  capture = await startCaptureServer();
  target = createServer((request, response) => {
    targetAuthorizations.push(request.headers.authorization);
    const url = new URL(request.url ?? '/', 'http://target.invalid');
    const authorized =
      request.headers.authorization === basicAuth(PASSWORD, 'probe') &&
      url.searchParams.get('token') === TOKEN;
    response.statusCode = !authorized ? 401 : targetUp ? 200 : 503;
    response.end();
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const address = target.address();
  const targetPort = typeof address === 'object' && address ? address.port : 0;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const configPath = join(folder, 'config.cfg');
  writeFileSync(
    configPath,
    `${BASE_CONFIG.replace('log_level = "off"', 'log_level = "debug"').replace('127.0.0.1:0', `127.0.0.1:${port}`)}` +
      'poll_interval = 1\npoll_delay_dead = 2\npoll_delay_sick = 2\npoll_retry = 0\n' +
      `[prometheus]\nenabled = true\n` +
      `[notify]\nsettle_timeout = 0\n[notify.webhook]\nhook_url = "${capture.url}/hook"\n` +
      `[storage]\npath = "${join(folder, 'vigil.db')}"\nflush_interval = 1\n` +
      '[probe]\n[[probe.service]]\nid = "api"\nlabel = "API"\n' +
      '[[probe.service.node]]\nid = "health"\nlabel = "Health"\nmode = "poll"\nreveal_replica_name = true\n' +
      `replicas = ["http://probe:${PASSWORD}@127.0.0.1:${targetPort}/health?token=${TOKEN}&region=eu"]\n`,
  );
  vigil = spawnCli(['-c', configPath]);
  vigil.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  vigil.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await waitForHttp(`${base}/status/text`);
});

after(async () => {
  vigil.kill('SIGTERM');
  await exited(vigil);
  await capture.close();
  await new Promise((resolve) => target.close(resolve));
  rmSync(folder, { recursive: true, force: true });
});

/** Answers under `/api/v1` are checked against the OpenAPI document too. */
async function text(path: string, init: RequestInit = {}): Promise<string> {
  const response = await apiClient(base).request(path, init);
  assert.equal(response.status, 200, `${path} answers 200`);
  return response.text;
}

function assertNoSecret(where: string, content: string) {
  for (const secret of SECRETS) assert.ok(!content.includes(secret), `${where} leaks "${secret}"`);
}

test('the prober uses the credentials of a replica URL, and nothing else lets them out', async () => {
  await waitFor('the target to be probed with its credentials', () =>
    targetAuthorizations.includes(basicAuth(PASSWORD, 'probe')),
  );
  await waitFor('the page to be healthy', async () => (await text('/status/text')).includes('healthy'));
  targetUp = false;
  await waitFor(
    'a dead alert',
    () => capture.requests.some((request) => request.body.includes('"dead"')),
    20_000,
  );
  targetUp = true;
  await waitFor(
    'the recovery alert',
    () => capture.requests.some((request) => request.body.includes('"healthy"')),
    20_000,
  );

  const manager = { headers: { Authorization: basicAuth('manager-secret') } };
  const seen: Array<[string, string]> = [
    ['page', await text('/')],
    ['/status/report', await text('/status/report')],
    ['/api/v1/status', await text('/api/v1/status')],
    ['/manager/prober/alerts/', await text('/manager/prober/alerts/', manager)],
    ['/metrics', await text('/metrics')],
    ...capture.requests.map((request, index): [string, string] => [`alert ${index}`, request.body]),
  ];
  // The redacted id is where the raw one would be: the checks look at the right places.
  assert.ok(
    seen.find(([where]) => where === 'page')?.[1].includes('http://***@127.0.0.1:'),
    'page shows the redacted id',
  );
  assert.ok(
    seen.find(([where]) => where === '/metrics')?.[1].includes(`token=***&region=eu`),
    'metrics label the redacted id',
  );
  assert.ok(
    capture.requests.some((request) => request.body.includes('***@127.0.0.1')),
    'alerts name the redacted id',
  );
  for (const [where, content] of seen) assertNoSecret(where, content);

  vigil.kill('SIGTERM');
  await exited(vigil);
  assert.ok(output.includes('***@127.0.0.1'), 'the state-change log names the redacted id');
  assertNoSecret('the log', output);
  assertNoSecret('the store file', readFileSync(join(folder, 'vigil.db')).toString('latin1'));
});
