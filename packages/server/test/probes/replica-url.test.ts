import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReplicaUrl } from '../../src/probes/replica-url.js';

test('valid replica URLs give their probe address (spec §4.1)', () => {
  const cases: [string, unknown][] = [
    ['icmp://gateway.local', { kind: 'icmp', host: 'gateway.local' }],
    ['icmp://[::1]', { kind: 'icmp', host: '::1' }],
    ['tcp://db.local:5432', { kind: 'tcp', host: 'db.local', port: 5432 }],
    ['tcp://[::1]:80', { kind: 'tcp', host: '::1', port: 80 }],
    ['ssh://bastion:22', { kind: 'ssh', host: 'bastion', port: 22 }],
    ['tls://mail.example.com:465', { kind: 'tls', host: 'mail.example.com', port: 465 }],
    ['https://example.com', { kind: 'http', url: 'https://example.com/' }],
    ['http://[::1]:8080/health?x=1', { kind: 'http', url: 'http://[::1]:8080/health?x=1' }],
  ];
  for (const [raw, address] of cases) assert.deepEqual(parseReplicaUrl(raw), { ok: true, address }, raw);
});

test('invalid replica URLs are rejected with a reason', () => {
  const cases: [string, RegExp][] = [
    ['icmp://host/', /must not have a path/],
    ['icmp://host:7', /must not have a port/],
    ['tcp://host', /needs an explicit port/],
    ['ssh://host:0', /needs an explicit port/],
    ['tls://host', /needs an explicit port .* as in tls:\/\/HOST:PORT/],
    ['tls://host:443/health', /must not have a path/],
    ['tcp://host:22/', /must not have a path/],
    ['tcp://user:pw@host:22', /credentials/],
    ['ftp://host', /unsupported scheme "ftp"/],
    ['not a url', /is not a URL/],
  ];
  for (const [raw, error] of cases) {
    const parsed = parseReplicaUrl(raw);
    assert.equal(parsed.ok, false, raw);
    if (!parsed.ok) assert.match(parsed.error, error, raw);
  }
});
