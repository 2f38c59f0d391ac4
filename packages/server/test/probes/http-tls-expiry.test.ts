import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkWithRetries } from '../../src/probes/attempt.js';
import type { HttpTarget } from '../../src/probes/http.js';
import { httpProbe } from '../../src/probes/http.js';
import { judgeCertificateExpiry } from '../../src/probes/tls-expiry.js';
import { type IssuedCertificate, issueCertificate } from '../helpers/certificates.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { running, type Served, serve } from './loopback.js';

const DAY_MS = 24 * 60 * 60 * 1000;
function target(port: number, tlsExpirySickDays: number): HttpTarget {
  return {
    kind: 'http',
    url: `https://127.0.0.1:${port}/`,
    method: 'HEAD',
    headers: {},
    statusHealthyAbove: 200,
    statusHealthyBelow: 400,
    cacheBuster: false,
    tlsExpirySickDays,
  };
}

describe('http probe: certificate expiry', () => {
  let dir: string;
  let month: IssuedCertificate;
  let monthServer: Served;
  let expiredServer: Served;

  const serveCert = ({ cert, key }: IssuedCertificate) =>
    serve(createServer({ cert, key }, (_, response) => response.end('ok')));
  const checkAt = (nowMs: number, sickDays: number) =>
    httpProbe.check(target(monthServer.port, sickDays), {
      timeoutMs: 5000,
      signal: running,
      clock: new FakeClock(nowMs),
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-tls-expiry-'));
    month = issueCertificate(dir, 'month', 30);
    monthServer = await serveCert(month);
    expiredServer = await serveCert(issueCertificate(dir, 'expired', -1));
  });

  after(async () => {
    await monthServer.close();
    await expiredServer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('healthy while more days are left than the threshold', async () => {
    const result = await checkAt(month.expiryMs - 20 * DAY_MS, 14);
    assert.equal(result.health, 'healthy');
    assert.equal(result.reason, undefined);
  });

  test('sick inside the threshold, with the whole days left as the reason', async () => {
    const result = await checkAt(month.expiryMs - 9 * DAY_MS - 3_600_000, 14);
    assert.equal(result.health, 'sick');
    assert.equal(result.reason, 'TLS: certificate expires in 9 days');
    assert.ok(result.latencyMs >= 0);
  });

  test('the threshold is strict: exactly 14 days left is still healthy', async () => {
    assert.equal((await checkAt(month.expiryMs - 14 * DAY_MS, 14)).health, 'healthy');
    assert.equal(
      (await checkAt(month.expiryMs - 14 * DAY_MS + 1, 14)).reason,
      'TLS: certificate expires in 13 days',
    );
  });

  test('0 turns the sick rule off', async () => {
    assert.equal((await checkAt(month.expiryMs - DAY_MS, 0)).health, 'healthy');
  });

  test('dead once the clock is past the end of validity', async () => {
    const result = await checkAt(month.expiryMs + 1000, 14);
    assert.equal(result.health, 'dead');
    assert.equal(result.reason, `TLS: certificate expired on ${new Date(month.expiryMs).toISOString()}`);
  });

  test('a really expired certificate fails the handshake: dead, sick rule or not', async () => {
    for (const sickDays of [0, 14]) {
      const result = await httpProbe.check(target(expiredServer.port, sickDays), {
        timeoutMs: 5000,
        signal: running,
      });
      assert.equal(result.health, 'dead');
      assert.equal(result.reason, 'TLS: certificate has expired');
    }
  });

  test('the system clock is used when none is given: a 30-day certificate is sick under 31 days', async () => {
    const result = await httpProbe.check(target(monthServer.port, 31), { timeoutMs: 5000, signal: running });
    assert.equal(result.health, 'sick');
    assert.match(result.reason ?? '', /^TLS: certificate expires in (29|30) days$/);
  });

  test('a poll (checkWithRetries) hands its clock to the probe', async () => {
    const clock = new FakeClock(month.expiryMs - 2 * DAY_MS - 60_000);
    const policy = { retries: 2, retryWaitMs: 10, timeoutMs: 5000, sickLatencyMs: 5000 };
    const result = await checkWithRetries(httpProbe, target(monthServer.port, 14), policy, {
      clock,
      signal: running,
    });
    assert.equal(result.health, 'sick');
    assert.equal(result.reason, 'TLS: certificate expires in 2 days');
  });
});

describe('judgeCertificateExpiry', () => {
  const expiryMs = Date.UTC(2027, 0, 31);
  test('counts whole days and words the last ones', () => {
    assert.equal(
      judgeCertificateExpiry(expiryMs, expiryMs - DAY_MS - 1, 7)?.reason,
      'TLS: certificate expires in 1 day',
    );
    assert.equal(
      judgeCertificateExpiry(expiryMs, expiryMs - 1, 7)?.reason,
      'TLS: certificate expires in less than a day',
    );
    assert.equal(judgeCertificateExpiry(expiryMs, expiryMs, 7)?.health, 'dead');
    assert.equal(judgeCertificateExpiry(expiryMs, expiryMs - 7 * DAY_MS, 7), undefined);
  });
});

test('plain http:// replicas carry no certificate: the threshold has no effect', async () => {
  const plain = await serve(createHttpServer((_, response) => response.end('ok')));
  try {
    const result = await httpProbe.check(
      { ...target(plain.port, 3650), url: `http://127.0.0.1:${plain.port}/` },
      { timeoutMs: 5000, signal: running },
    );
    assert.equal(result.health, 'healthy');
  } finally {
    await plain.close();
  }
});
