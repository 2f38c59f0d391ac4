import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkWithRetries } from '../../src/probes/attempt.js';
import { DEFAULT_FPING_PATH, SELF_TEST_ARGS } from '../../src/probes/fping.js';
import { chooseIcmpMethod, createIcmpProbe } from '../../src/probes/icmp.js';
import { MAX_BATCH_ADDRESSES } from '../../src/probes/icmp-batch.js';
import type { Probe, ProbeResult, TargetOf } from '../../src/probes/types.js';
import { systemClock } from '../../src/time/clock.js';
import { running } from './loopback.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-fping-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Installs an executable `name` in the test folder: it logs its arguments (one run per line) to
 * `name.calls`, then runs `body` with the addresses as "$@" (fping's six option words shifted off).
 */
function fakeFping(name: string, body: string): { probe: Probe<TargetOf<'icmp'>>; runs: () => string[] } {
  const path = join(dir, name);
  const calls = join(dir, `${name}.calls`);
  // The stand-in passes the start-up check (SELF_TEST_ARGS: a 0.5 s wait, which no test below
  // uses) without logging it.
  const selfTest = `[ "$*" = "${SELF_TEST_ARGS.join(' ')}" ] && echo "127.0.0.1 : [0], 64 bytes, 0.05 ms" && exit 0`;
  writeFileSync(path, `#!/bin/sh\n${selfTest}\necho "$@" >> ${calls}\n${body}\n`);
  chmodSync(path, 0o755);
  rmSync(calls, { force: true });
  const method = chooseIcmpMethod({ VIGIL_FPING_PATH: path });
  assert.ok(method.concurrent, method.description);
  return {
    probe: createIcmpProbe(method),
    runs: () => readFileSync(calls, 'utf8').trim().split('\n'),
  };
}

/** A stand-in running the real fping, so runs can be counted. */
const countedFping = (name: string) => fakeFping(name, `exec ${DEFAULT_FPING_PATH} "$@"`);

const check = (probe: Probe<TargetOf<'icmp'>>, host: string, timeoutMs = 2000, signal = running) =>
  probe.check({ kind: 'icmp', host }, { timeoutMs, signal });

/** The n-th address of 127.1.0.0/16, skipping .0 and .255 (all of 127.0.0.0/8 answers on Linux). */
const loopbackAddress = (n: number) => `127.1.${Math.floor(n / 250)}.${(n % 250) + 1}`;

const FAKE_REPLY = 'for a in "$@"; do :; done; echo "$a : [0], 64 bytes, 12.7 ms (12.7 avg, 0% loss)"';

describe('icmp probe batched through the real fping, on loopback', () => {
  test('1,500 checks at once: all healthy, sent by two fping runs (1,000 addresses at most each)', async () => {
    const { probe, runs } = countedFping('fping-many');
    const addresses = Array.from({ length: 1500 }, (_, n) => loopbackAddress(n));
    // Every check listens on the signal (as on a round's signal, which allows as many).
    const signal = new AbortController().signal;
    setMaxListeners(4 * addresses.length, signal);
    // Through Vigil's retries, as the prober runs it: two fping runs starting together on a busy
    // host now and then lose one reply (see docs/performance.md); the retry catches it.
    const policy = { retries: 2, retryWaitMs: 0, timeoutMs: 2000, sickLatencyMs: 1000 };
    const results = await Promise.all(
      addresses.map((host) =>
        checkWithRetries(probe, { kind: 'icmp', host }, policy, { clock: systemClock, signal }),
      ),
    );
    const unhealthy = results.filter((result) => result.health !== 'healthy');
    assert.deepEqual(unhealthy, []);
    for (const result of results) assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs < 1000);
    const runSizes = runs().map((run) => run.split(' ').length - 6);
    assert.deepEqual(runSizes.slice(0, 2), [MAX_BATCH_ADDRESSES, 1500 - MAX_BATCH_ADDRESSES]);
  });

  test('IPv4 and IPv6 share a run; the reply wait is min(1 s, timeout)', async () => {
    const { probe, runs } = countedFping('fping-mixed');
    const results = await Promise.all([check(probe, '127.0.0.1', 400), check(probe, '::1', 400)]);
    assert.deepEqual(
      results.map((result) => result.health),
      ['healthy', 'healthy'],
    );
    assert.deepEqual(runs(), ['-c 1 -i 0 -t 400 127.0.0.1 ::1']);
  });

  test('the same address asked for twice is pinged once and answers both', async () => {
    const { probe, runs } = countedFping('fping-twice');
    const results = await Promise.all([check(probe, '127.0.0.1'), check(probe, '127.0.0.1')]);
    assert.deepEqual(
      results.map((result) => result.health),
      ['healthy', 'healthy'],
    );
    assert.deepEqual(runs(), ['-c 1 -i 0 -t 1000 127.0.0.1']);
  });

  test('checks with different reply waits go to different runs', async () => {
    const { probe, runs } = countedFping('fping-waits');
    await Promise.all([check(probe, '127.0.0.2', 10_000), check(probe, '127.0.0.3', 300)]);
    assert.deepEqual(runs().sort(), ['-c 1 -i 0 -t 1000 127.0.0.2', '-c 1 -i 0 -t 300 127.0.0.3']);
  });

  // A loopback that does not answer: a private network namespace (unshare -rn) whose kernel ignores
  // echo requests. The packets never leave that namespace.
  const namespaces = spawnSync('unshare', ['-rn', 'true']).status === 0;
  test('a loopback that ignores echo requests is dead: no reply', { skip: !namespaces }, async () => {
    const { probe } = fakeFping(
      'fping-silent',
      `exec unshare -rn sh -c 'ip link set lo up && sysctl -qw net.ipv4.icmp_echo_ignore_all=1 && exec ${DEFAULT_FPING_PATH} "$@"' fping "$@"`,
    );
    const results = await Promise.all([check(probe, '127.0.0.1', 300), check(probe, '127.0.0.2', 300)]);
    assert.deepEqual(
      results.map(({ health, reason }) => ({ health, reason })),
      [
        { health: 'dead', reason: 'no reply from 127.0.0.1 within 0.3 s' },
        { health: 'dead', reason: 'no reply from 127.0.0.2 within 0.3 s' },
      ],
    );
  });
});

describe('icmp probe batched through a stand-in fping (VIGIL_FPING_PATH)', () => {
  test('latency is the RTT fping reports, in whole ms', async () => {
    const { probe } = fakeFping('fping-rtt', `shift 6; ${FAKE_REPLY}`);
    assert.deepEqual(await check(probe, '127.0.0.1'), { health: 'healthy', latencyMs: 12 });
  });

  test('an address fping reports as timed out is dead at once', async () => {
    const { probe } = fakeFping(
      'fping-timeout',
      'shift 6; echo "$1 : [0], timed out (NaN avg, 100% loss)"; exec sleep 30',
    );
    const result = await check(probe, '127.0.0.1', 400);
    assert.deepEqual(
      { health: result.health, reason: result.reason },
      {
        health: 'dead',
        reason: 'no reply from 127.0.0.1 within 0.4 s',
      },
    );
    assert.ok(result.latencyMs < 400, 'did not wait for fping to exit');
  });

  test('an address fping never mentions before exiting 1 is dead: no reply', async () => {
    const { probe } = fakeFping('fping-silent-exit', 'exit 1');
    assert.equal((await check(probe, '127.0.0.1')).reason, 'no reply from 127.0.0.1 within 1 s');
  });

  test('an ICMP error names what answered instead', async () => {
    const { probe } = fakeFping(
      'fping-unreachable',
      'shift 6; echo "ICMP Host Unreachable from 127.0.0.9 for ICMP Echo sent to $1" >&2; exit 1',
    );
    assert.equal((await check(probe, '127.0.0.1')).reason, 'ICMP Host Unreachable from 127.0.0.9');
  });

  test('a failed send is dead with the system reason', async () => {
    const { probe } = fakeFping(
      'fping-send-error',
      'shift 6; echo "$1: error while sending ping: Network is unreachable" >&2; exit 1',
    );
    assert.equal((await check(probe, '127.0.0.1')).reason, 'ping failed: Network is unreachable');
  });

  test('fping failing as a whole (no socket) is dead with its message, for every check', async () => {
    const { probe } = fakeFping(
      'fping-no-socket',
      'echo "127.0.0.1 : xmt/rcv/%loss = 0/0/0%" >&2; echo "$0: can\'t create socket (must run as root?)" >&2; exit 4',
    );
    const results = await Promise.all([check(probe, '127.0.0.1'), check(probe, '::1')]);
    assert.deepEqual(
      results.map((result) => result.reason),
      [
        "fping failed: can't create socket (must run as root?)",
        "fping failed: can't create socket (must run as root?)",
      ],
    );
  });

  test('fping removed after start: dead, saying where it was expected', async () => {
    const { probe } = fakeFping('fping-removed', 'exit 0');
    rmSync(join(dir, 'fping-removed'));
    const result = await check(probe, '127.0.0.1');
    assert.equal(
      result.reason,
      `fping not installed at ${join(dir, 'fping-removed')} (or set VIGIL_FPING_PATH)`,
    );
  });

  test('an fping that never exits is killed; its addresses count as no reply', async () => {
    const { probe } = fakeFping('fping-hung', 'exec sleep 30');
    const result = await check(probe, '127.0.0.1', 50);
    assert.equal(result.reason, 'no reply from 127.0.0.1 within 0.05 s');
  });

  test('aborting one check leaves the others of its run waiting for their replies', async () => {
    const { probe } = fakeFping('fping-slow', `shift 6; sleep 0.3; ${FAKE_REPLY}`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const [aborted, answered] = await Promise.all([
      check(probe, '127.0.0.1', 2000, controller.signal),
      check(probe, '127.0.0.1'),
    ]);
    assert.equal(aborted.reason, 'aborted');
    assert.ok(aborted.latencyMs < 300);
    assert.deepEqual(answered, { health: 'healthy', latencyMs: 12 });
  });

  test('aborting every check of a run kills its fping', async () => {
    const pidFile = join(dir, 'fping.pid');
    const { probe } = fakeFping('fping-killed', `echo $$ > ${pidFile}; exec sleep 30`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result: ProbeResult = await check(probe, '127.0.0.1', 2000, controller.signal);
    assert.equal(result.reason, 'aborted');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // SIGKILL is delivered at once; give the kernel a moment to reap it (bounded, not a speed test).
    for (let tries = 0; tries < 100 && isRunning(pid); tries++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(isRunning(pid), false);
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('choosing how ICMP checks ping', () => {
  test('fping when it is installed and can ping', () => {
    const method = chooseIcmpMethod({});
    assert.equal(method.concurrent, true);
    assert.match(method.description, /batched through \/usr\/bin\/fping/);
  });

  test('one ping per check when fping is missing, saying where it looked', () => {
    const method = chooseIcmpMethod({ VIGIL_FPING_PATH: join(tmpdir(), 'no-such-fping') });
    assert.equal(method.concurrent, false);
    assert.match(method.description, /one ping process per address .*: no fping at .*no-such-fping$/);
  });

  test('one ping per check when fping refuses -i 0 (built with safe limits, not root)', () => {
    const path = join(dir, 'fping-safe-limits');
    writeFileSync(path, `#!/bin/sh\necho "$0: these options are too risky for mere mortals." >&2\nexit 1\n`);
    chmodSync(path, 0o755);
    const method = chooseIcmpMethod({ VIGIL_FPING_PATH: path });
    assert.equal(method.concurrent, false);
    assert.match(method.description, /cannot ping: these options are too risky for mere mortals\.$/);
  });

  test('one ping per check when fping cannot open its socket, with its message', () => {
    const path = join(dir, 'fping-no-capability');
    writeFileSync(path, `#!/bin/sh\necho "$0: can't create socket (must run as root?)" >&2\nexit 4\n`);
    chmodSync(path, 0o755);
    const method = chooseIcmpMethod({ VIGIL_FPING_PATH: path });
    assert.equal(method.concurrent, false);
    assert.match(
      method.description,
      /: fping at .* cannot ping: can't create socket \(must run as root\?\)$/,
    );
  });
});
