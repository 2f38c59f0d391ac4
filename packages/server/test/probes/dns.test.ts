import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { dnsProbe } from '../../src/probes/dns.js';
import { startTestDnsmasq, type TestDnsmasq } from '../helpers/dnsmasq.js';
import { closedPort, parsedTarget, pollWithSickAtZero, running } from './loopback.js';

/** Authoritative for test.example only: other names are refused, as no upstream is asked. */
const startTestDomain = () =>
  startTestDnsmasq([
    '--local=/test.example/',
    '--host-record=www.test.example,127.0.0.9',
    '--host-record=v6.test.example,::9',
    '--cname=alias.test.example,www.test.example',
    '--mx-host=test.example,mail.test.example,10',
    '--txt-record=txt.test.example,v=spf1 -all',
    '--srv-host=_sip._tcp.test.example,sip.test.example,5060,1,2',
  ]);

const target = (url: string) => parsedTarget(url, 'dns');

const check = (url: string, timeoutMs = 5000) => dnsProbe.check(target(url), { timeoutMs, signal: running });

describe('dns probe against a real dnsmasq', () => {
  let dnsmasq: TestDnsmasq;
  let resolver: string;

  before(async () => {
    dnsmasq = await startTestDomain();
    resolver = `dns://127.0.0.1:${dnsmasq.port}`;
  });
  after(() => dnsmasq.stop());

  test('a name with a record of the type is healthy (A by default)', async () => {
    const result = await check(`${resolver}/www.test.example`);
    assert.equal(result.health, 'healthy', result.reason);
    assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs >= 0);
  });

  test('an expected answer among the records is healthy, for each record type', async () => {
    const cases = [
      'www.test.example?type=A&expect=127.0.0.9',
      'v6.test.example?type=aaaa&expect=::9',
      'alias.test.example?type=CNAME&expect=WWW.test.example.',
      'test.example?type=MX&expect=10 mail.test.example',
      'txt.test.example?type=TXT&expect=v%3Dspf1 -all',
      '_sip._tcp.test.example?type=SRV&expect=1 2 5060 sip.test.example',
    ];
    for (const path of cases) {
      const result = await check(`${resolver}/${path}`);
      assert.equal(result.health, 'healthy', `${path}: ${result.reason}`);
    }
  });

  test('an answer other than the expected one is dead, naming both', async () => {
    const result = await check(`${resolver}/www.test.example?expect=127.0.0.1`);
    assert.deepEqual([result.health, result.reason], ['dead', 'expected 127.0.0.1, got 127.0.0.9']);
  });

  test('an unknown name is dead: NXDOMAIN', async () => {
    const result = await check(`${resolver}/nope.test.example`);
    assert.deepEqual([result.health, result.reason], ['dead', 'nope.test.example: no such name (NXDOMAIN)']);
  });

  test('a name without a record of the type is dead', async () => {
    const result = await check(`${resolver}/www.test.example?type=AAAA`);
    assert.deepEqual([result.health, result.reason], ['dead', 'www.test.example: no AAAA record']);
  });

  test('a name the server will not answer for is dead: REFUSED', async () => {
    // No upstream: dnsmasq refuses names outside test.example instead of asking anyone.
    const result = await check(`${resolver}/example.org`);
    assert.deepEqual([result.health, result.reason], ['dead', 'query refused (REFUSED)']);
  });

  test('a poll at or above poll_delay_sick is sick, with the latency as the reason', async () => {
    const result = await pollWithSickAtZero(dnsProbe, target(`${resolver}/www.test.example`));
    assert.equal(result.health, 'sick');
    assert.match(result.reason ?? '', /^slow: \d+ ms \(sick at 0 s\)$/);
  });

  test('a resolver given by host name is looked up first', async () => {
    const result = await check(`dns://localhost:${dnsmasq.port}/www.test.example`);
    assert.equal(result.health, 'healthy', result.reason);
  });
});

describe('dns probe against other servers', () => {
  test('a closed port is dead: connection refused', async () => {
    const result = await check(`dns://127.0.0.1:${await closedPort()}/www.test.example`);
    assert.deepEqual([result.health, result.reason], ['dead', 'connection refused']);
  });

  test('a server that never answers is dead when the deadline passes', async () => {
    const silent = createSocket('udp4');
    silent.bind(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const result = await check(`dns://127.0.0.1:${silent.address().port}/www.test.example`, 300);
      assert.deepEqual([result.health, result.reason], ['dead', 'timed out after 0.3 s']);
    } finally {
      silent.close();
    }
  });
});
