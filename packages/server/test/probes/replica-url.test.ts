import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROBE_KINDS } from '../../src/probes/registry.js';
import { parseReplicaUrl, REPLICA_URL_GRAMMAR, replicaUrlGrammar } from '../../src/probes/replica-url.js';

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
    [
      'mysql://vigil:p%40ss@db.local:3306/shop',
      { kind: 'mysql', host: 'db.local', port: 3306, user: 'vigil', password: 'p@ss', database: 'shop' },
    ],
    ['mysql://monitor@[::1]:3306', { kind: 'mysql', host: '::1', port: 3306, user: 'monitor' }],
    ['mqtt://broker:1883', { kind: 'mqtt', host: 'broker', port: 1883 }],
    [
      'mqtt://probe:s%3Acret@broker:1883',
      { kind: 'mqtt', host: 'broker', port: 1883, username: 'probe', password: 's:cret' },
    ],
    ['grpc://api:50051', { kind: 'grpc', host: 'api', port: 50051, service: '' }],
    ['grpc://api:50051/shop.v1.Cart', { kind: 'grpc', host: 'api', port: 50051, service: 'shop.v1.Cart' }],
    [
      'dns://1.1.1.1/example.com',
      { kind: 'dns', host: '1.1.1.1', port: 53, name: 'example.com', recordType: 'A', expect: [] },
    ],
    [
      'dns://[::1]:5353/example.com.?type=aaaa&expect=::1&expect=2001:db8::1',
      {
        kind: 'dns',
        host: '::1',
        port: 5353,
        name: 'example.com.',
        recordType: 'AAAA',
        expect: ['::1', '2001:db8::1'],
      },
    ],
    [
      'dns://ns.example/example.com?type=TXT&expect=v%3Dspf1%20-all',
      {
        kind: 'dns',
        host: 'ns.example',
        port: 53,
        name: 'example.com',
        recordType: 'TXT',
        expect: ['v=spf1 -all'],
      },
    ],
    ['redis://cache.local', { kind: 'redis', host: 'cache.local', port: 6379, tls: false }],
    ['rediss://cache.local:6380', { kind: 'redis', host: 'cache.local', port: 6380, tls: true }],
    [
      'redis://:p%40ss@cache.local:6380',
      { kind: 'redis', host: 'cache.local', port: 6380, tls: false, password: 'p@ss' },
    ],
    [
      'redis://app:pw@[::1]:6379',
      { kind: 'redis', host: '::1', port: 6379, tls: false, username: 'app', password: 'pw' },
    ],
    [
      'postgres://vigil@db.local/app',
      { kind: 'postgres', host: 'db.local', port: 5432, user: 'vigil', database: 'app', sslMode: 'disable' },
    ],
    [
      'postgresql://vigil:s%2Fcret@db.local:6432/my%20db?sslmode=verify-full',
      {
        kind: 'postgres',
        host: 'db.local',
        port: 6432,
        user: 'vigil',
        password: 's/cret',
        database: 'my db',
        sslMode: 'verify-full',
      },
    ],
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
    ['mysql://db:3306', /needs a user; expected mysql:\/\/USER\[:PASSWORD\]@HOST:PORT\[\/DATABASE\]/],
    ['mysql://vigil@db', /needs an explicit port/],
    ['mysql://vigil@db:3306/a/b', /more than one path segment/],
    ['mysql://vigil@db:3306/shop?ssl=1', /must not have a query/],
    ['mysql://vigil:%E0%A4%A@db:3306', /malformed %-escape in its user info/],
    ['mqtt://broker:1883/topic', /must not have a path; expected mqtt:\/\/\[USER/],
    ['mqtt://:secret@broker:1883', /a password but no user/],
    ['grpc://user:pw@api:50051', /must not have credentials/],
    ['grpc://api', /needs an explicit port from 1 to 65535; expected grpc:\/\/HOST:PORT\[\/SERVICE\]/],
    ['dns://1.1.1.1', /needs one name to query as its path/],
    ['dns://1.1.1.1:0/example.com', /needs a port from 1 to 65535/],
    ['dns://1.1.1.1/example.com?type=SOA', /unsupported type "SOA"; allowed: A, AAAA/],
    ['dns://1.1.1.1/example.com?type=A&type=MX', /more than one type/],
    ['dns://1.1.1.1/example.com?expected=1.2.3.4', /unknown query key "expected"; allowed: type, expect/],
    ['dns://1.1.1.1/example.com?expect=::1', /expects "::1", which is not an IPv4 address/],
    ['dns://user:pw@1.1.1.1/example.com', /must not have credentials/],
    ['redis://cache.local/0', /must not have a path/],
    ['redis://app@cache.local', /names a user without a password/],
    ['redis:///', /has no host/],
    ['postgres://db.local/app', /needs a user/],
    ['postgres://vigil@db.local', /needs one database/],
    ['postgres://vigil@db.local/app?sslmode=prefer', /sslmode "prefer"; allowed: one of disable, require/],
    [
      'postgres://vigil@db.local/app?connect_timeout=3',
      /unknown query key "connect_timeout"; allowed: sslmode/,
    ],
  ];
  for (const [raw, error] of cases) {
    const parsed = parseReplicaUrl(raw);
    assert.equal(parsed.ok, false, raw);
    if (!parsed.ok) assert.match(parsed.error, error, raw);
  }
});

test('errors never show the password of a service URL', () => {
  for (const raw of [
    'mysql://vigil:hunter2@db:3306/a/b',
    'mqtt://probe:hunter2@broker:1883/x',
    'postgres://vigil:hunter2@db.local/app?sslmode=on',
    'redis://app:hunter2@cache.local/0',
  ]) {
    const parsed = parseReplicaUrl(raw);
    assert.equal(parsed.ok, false, raw);
    if (!parsed.ok) assert.doesNotMatch(parsed.error, /hunter2/, raw);
  }
});

test("the grammar lists every kind's URL form in the registry's order, as errors quote it", () => {
  assert.equal(
    REPLICA_URL_GRAMMAR,
    'icmp://HOST, tcp://HOST:PORT, ssh://HOST:PORT, tls://HOST:PORT (no path), an http:// or https:// URL, ' +
      'mysql://USER[:PASSWORD]@HOST:PORT[/DATABASE], mqtt://[USER[:PASSWORD]@]HOST:PORT, ' +
      'grpc://HOST:PORT[/SERVICE], dns://RESOLVER[:PORT]/NAME[?type=TYPE&expect=ANSWER], ' +
      'redis[s]://[[USER]:PASSWORD@]HOST[:PORT] or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE',
  );
  assert.equal(
    replicaUrlGrammar((kind) => kind === 'tcp' || kind === 'mqtt'),
    'tcp://HOST:PORT or mqtt://[USER[:PASSWORD]@]HOST:PORT',
  );
  // vigil-local quotes its own list.
  assert.deepEqual(parseReplicaUrl('ftp://host', 'tcp://HOST:PORT'), {
    ok: false,
    error: '"ftp://host" has unsupported scheme "ftp"; expected tcp://HOST:PORT',
  });
  assert.deepEqual(parseReplicaUrl('tcp://host:1/x', 'tcp://HOST:PORT'), {
    ok: false,
    error: '"tcp://host:1/x" must not have a path, query or credentials; expected tcp://HOST:PORT',
  });
});

test('each scheme of a kind in the registry reads into that kind', () => {
  const kindsWithUrls = PROBE_KINDS.filter((definition) => definition.url);
  assert.deepEqual(
    PROBE_KINDS.filter((definition) => !definition.url).map((definition) => definition.kind),
    ['script'],
  );
  for (const definition of kindsWithUrls) {
    for (const scheme of definition.url?.schemes ?? []) {
      // Garbage after the scheme: whatever the kind says, it must be that kind's say, not "unsupported".
      const parsed = parseReplicaUrl(`${scheme}://h:1/a/b/c?x=1`);
      if (!parsed.ok) assert.doesNotMatch(parsed.error, /unsupported scheme/, scheme);
      else assert.equal(parsed.address.kind, definition.kind, scheme);
    }
  }
});
