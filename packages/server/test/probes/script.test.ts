import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createScriptProbe, scriptProbe } from '../../src/probes/script.js';
import { running } from './loopback.js';

const run = (source: string, timeoutMs?: number, signal = running) =>
  scriptProbe.check({ kind: 'script', source, timeoutMs }, { timeoutMs: 1000, signal });

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-script-test-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Whether a process still runs; a zombie waiting to be reaped counts as gone. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && isRunning(pid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return !isRunning(pid);
}

test('exit 0 is healthy; latency is the run time', async () => {
  const result = await run('sleep 0.1\nexit 0');
  assert.equal(result.health, 'healthy');
  assert.ok(result.latencyMs >= 90, `latency ${result.latencyMs}`);
});

test('exit 1 is sick, with stderr in the reason', async () => {
  const result = await run('echo "queue is backing up" >&2\nexit 1');
  assert.equal(result.health, 'sick');
  assert.equal(result.reason, 'exit 1: queue is backing up');
});

test('any other exit code is dead', async () => {
  const result = await run('exit 2');
  assert.deepEqual({ ...result, latencyMs: 0 }, { health: 'dead', latencyMs: 0, reason: 'exit 2' });
});

test('only the end of a long stderr is kept', async () => {
  const result = await run('i=0; while [ $i -lt 200 ]; do echo "line $i" >&2; i=$((i+1)); done; exit 3');
  assert.equal(result.health, 'dead');
  assert.match(result.reason ?? '', /^exit 3: .*line 199$/);
  assert.ok((result.reason ?? '').length < 520);
});

test('stdout is read and discarded, however large', async () => {
  const result = await run('head -c 2000000 /dev/zero; exit 0');
  assert.equal(result.health, 'healthy');
});

test('death by a signal is dead', async () => {
  const result = await run('kill -9 $$');
  assert.equal(result.health, 'dead');
  assert.equal(result.reason, 'killed by SIGKILL');
});

test('the script is trimmed, runs with sh from the current directory and inherits the environment', async () => {
  process.env.VIGIL_SCRIPT_TEST = 'inherited';
  try {
    const cwd = process.cwd();
    const result = await run(
      `\n\n   [ "$(pwd)" = "${cwd}" ] && [ "$VIGIL_SCRIPT_TEST" = inherited ] || exit 2\n  `,
    );
    assert.equal(result.health, 'healthy', result.reason);
  } finally {
    delete process.env.VIGIL_SCRIPT_TEST;
  }
});

test('stdin is empty and the temporary file is removed afterwards', async () => {
  const record = join(dir, 'script-path');
  const result = await run(`echo "$0" > ${record}; read line && exit 2; exit 0`);
  assert.equal(result.health, 'healthy', result.reason);
  const scriptPath = readFileSync(record, 'utf8').trim();
  assert.ok(scriptPath.startsWith(tmpdir()), scriptPath);
  assert.equal(existsSync(scriptPath), false);
});

test('a hanging script is killed at the timeout, with the children of its process group', async () => {
  const pidFile = join(dir, 'child-pid');
  const started = Date.now();
  const result = await run(`sleep 30 &\necho $! > ${pidFile}\nwait`, 300);
  assert.equal(result.health, 'dead');
  assert.equal(result.reason, 'timed out after 0.3 s');
  assert.ok(Date.now() - started < 2000);
  const childPid = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(await waitUntilGone(childPid), `child sleep ${childPid} survived`);
});

test('aborting the signal kills the script at once', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const result = await run('sleep 30', undefined, controller.signal);
  assert.equal(result.reason, 'aborted');
  assert.ok(result.latencyMs < 1000);
});

test('a background child that keeps the pipes open does not block the result', async () => {
  const pidFile = join(dir, 'daemon-pid');
  const result = await run(`sleep 30 &\necho $! > ${pidFile}\nexit 0`);
  assert.equal(result.health, 'healthy');
  assert.ok(result.latencyMs < 1000);
  // Not the probe's to kill (a script may start a daemon on purpose); clean up after the test.
  process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
});

test('a shell that cannot be started is dead with the reason', async () => {
  const probe = createScriptProbe({ shell: join(dir, 'no-such-shell') });
  const result = await probe.check(
    { kind: 'script', source: 'exit 0' },
    { timeoutMs: 1000, signal: running },
  );
  assert.equal(result.health, 'dead');
  assert.match(result.reason ?? '', /^cannot run script: spawn .*no-such-shell ENOENT$/);
});
