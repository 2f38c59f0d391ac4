import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import type { TlsTarget } from '../../src/probes/tls.js';
import { tlsProbe } from '../../src/probes/tls.js';
import { type IssuedCertificate, issueCertificate } from '../helpers/certificates.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { closedPort, running, type Served, serve } from './loopback.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A TLS server that greets like SMTPS once the handshake is done. */
const serveTls = ({ cert, key }: IssuedCertificate) =>
  serve(createTlsServer({ cert, key }, (socket) => socket.end('220 ready\r\n')));

const check = (target: TlsTarget, options: { clock?: FakeClock; timeoutMs?: number } = {}) =>
  tlsProbe.check(target, { timeoutMs: options.timeoutMs ?? 5000, signal: running, clock: options.clock });

describe('tls probe', () => {
  let dir: string;
  let month: IssuedCertificate;
  let good: Served;
  let expired: Served;
  let otherName: Served;
  let plain: Served;
  let silent: Served;

  const at = (port: number, tlsExpirySickDays = 0, host = '127.0.0.1'): TlsTarget => ({
    kind: 'tls',
    host,
    port,
    tlsExpirySickDays,
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-tls-probe-'));
    month = issueCertificate(dir, 'month', 30);
    good = await serveTls(month);
    expired = await serveTls(issueCertificate(dir, 'expired', -1));
    otherName = await serveTls(issueCertificate(dir, 'other', 30, 'DNS:mail.example.com'));
    plain = await serve(createTcpServer((socket) => socket.end('220 plain smtp\r\n')));
    silent = await serve(createTcpServer(() => undefined));
  });

  after(async () => {
    for (const server of [good, expired, otherName, plain, silent]) await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('healthy once a verified handshake completes, by IP or by name (SNI)', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const result = await check(at(good.port, 14, host));
      assert.equal(result.health, 'healthy', host);
      assert.equal(result.reason, undefined);
    }
  });

  test('sick inside the expiry threshold, dead past it by the prober clock', async () => {
    const sick = await check(at(good.port, 14), { clock: new FakeClock(month.expiryMs - 5 * DAY_MS - 1) });
    assert.equal(sick.health, 'sick');
    assert.equal(sick.reason, 'TLS: certificate expires in 5 days');
    const healthy = await check(at(good.port, 0), { clock: new FakeClock(month.expiryMs - DAY_MS) });
    assert.equal(healthy.health, 'healthy');
    const dead = await check(at(good.port, 14), { clock: new FakeClock(month.expiryMs) });
    assert.equal(dead.health, 'dead');
    assert.match(dead.reason ?? '', /^TLS: certificate expired on /);
  });

  test('dead with the TLS reason: expired, wrong name, not TLS', async () => {
    const cases: Array<[Served, string]> = [
      [expired, 'TLS: certificate has expired'],
      [otherName, 'TLS: certificate is not valid for 127.0.0.1'],
    ];
    for (const [server, reason] of cases) {
      const result = await check(at(server.port, 14));
      assert.equal(result.health, 'dead');
      assert.equal(result.reason, reason);
    }
    const notTls = await check(at(plain.port));
    assert.equal(notTls.health, 'dead');
    // OpenSSL's words for a reply that is not a TLS record.
    assert.equal(notTls.reason, 'TLS: wrong version number');
  });

  test('dead when nothing listens, or when the handshake never answers', async () => {
    const refused = await check(at(await closedPort()));
    assert.deepEqual([refused.health, refused.reason], ['dead', 'connection refused']);
    const stalled = await check(at(silent.port), { timeoutMs: 200 });
    assert.deepEqual([stalled.health, stalled.reason], ['dead', 'timed out after 0.2 s']);
  });
});
