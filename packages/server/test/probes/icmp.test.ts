import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { icmpProbe } from '../../src/probes/icmp.js';
import { running } from './loopback.js';

const check = (host: string, timeoutMs = 2000, signal = running) =>
  icmpProbe.check({ kind: 'icmp', host }, { timeoutMs, signal });

describe('icmp probe with the system ping', () => {
  test('127.0.0.1 answers: healthy, latency is the RTT in whole ms', async () => {
    const result = await check('127.0.0.1');
    assert.equal(result.health, 'healthy', result.reason);
    assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs >= 0 && result.latencyMs < 1000);
  });

  test('::1 answers over IPv6', async () => {
    const result = await check('::1');
    assert.equal(result.health, 'healthy', result.reason);
  });
});

describe('icmp probe with a stand-in ping (VIGIL_PING_PATH)', () => {
  let dir: string;
  const saved = process.env.VIGIL_PING_PATH;

  /** Installs a fake ping: a shell script that logs its arguments, then runs `body`. */
  function fakePing(body: string): void {
    const path = join(dir, 'ping');
    writeFileSync(path, `#!/bin/sh\necho "$@" >> ${join(dir, 'calls')}\n${body}\n`);
    chmodSync(path, 0o755);
    rmSync(join(dir, 'calls'), { force: true });
    process.env.VIGIL_PING_PATH = path;
  }
  const calls = () => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-ping-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.VIGIL_PING_PATH;
    else process.env.VIGIL_PING_PATH = saved;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('runs ping once per address, numeric, with a reply wait of min(1 s, timeout)', async () => {
    fakePing('echo "64 bytes from $7: icmp_seq=1 ttl=64 time=12.7 ms"');
    const result = await check('127.0.0.1', 10_000);
    assert.deepEqual(result, { health: 'healthy', latencyMs: 12 });
    await check('::1', 400);
    assert.deepEqual(calls(), ['-4 -n -c 1 -W 1 127.0.0.1', '-6 -n -c 1 -W 0.4 ::1']);
  });

  test('no reply (ping exits 1) is dead', async () => {
    fakePing('exit 1');
    const result = await check('127.0.0.1');
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, 'no reply from 127.0.0.1 within 1 s');
  });

  test('other ping errors are dead with its last stderr line', async () => {
    fakePing('echo "ping: connect: Network is unreachable" >&2; exit 2');
    const result = await check('127.0.0.1');
    assert.equal(result.reason, 'ping 127.0.0.1 failed: ping: connect: Network is unreachable');
  });

  test('a missing ping binary says how to fix it', async () => {
    process.env.VIGIL_PING_PATH = join(dir, 'missing-ping');
    const result = await check('127.0.0.1');
    assert.equal(result.health, 'dead');
    assert.match(result.reason ?? '', /^ping not installed: install iputils-ping/);
  });

  test('a ping that never exits is killed and counts as no reply', async () => {
    fakePing('exec sleep 30');
    const result = await check('127.0.0.1', 50);
    assert.equal(result.reason, 'no reply from 127.0.0.1 within 0.05 s');
  });

  test('aborting kills a running ping', async () => {
    fakePing('exec sleep 30');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await check('127.0.0.1', 1000, controller.signal);
    assert.equal(result.reason, 'aborted');
    assert.ok(result.latencyMs < 1000);
  });
});
