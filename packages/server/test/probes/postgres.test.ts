import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { postgresProbe } from '../../src/probes/postgres.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { closedPort, parsedTarget, pollWithSickAtZero, running, serve } from './loopback.js';

const PASSWORD = 'se cret@/';

const target = (url: string) => parsedTarget(url, 'postgres');

const check = (url: string, timeoutMs = 5000) =>
  postgresProbe.check(target(url), { timeoutMs, signal: running });

describe('postgres probe against a real PostgreSQL server', () => {
  let server: TestPostgres;
  /** postgres://postgres:<password>@127.0.0.1:<port>/<database> */
  let databaseUrl: URL;

  before(async () => {
    server = await startTestPostgres({ password: PASSWORD, tls: true });
    databaseUrl = new URL(await server.createDatabase());
  });
  after(() => server.stop());

  const withChanges = (change: (url: URL) => void) => {
    const url = new URL(databaseUrl);
    change(url);
    return url.href;
  };

  test('a session that answers select 1 is healthy', async () => {
    const result = await check(databaseUrl.href);
    assert.equal(result.health, 'healthy', result.reason);
    assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs >= 0);
  });

  test('postgresql:// is the same kind', async () => {
    const result = await check(withChanges((url) => Object.assign(url, { protocol: 'postgresql:' })));
    assert.equal(result.health, 'healthy', result.reason);
  });

  test("a wrong password is dead, with the server's message as the reason", async () => {
    const result = await check(withChanges((url) => Object.assign(url, { password: 'wrong' })));
    assert.deepEqual(
      [result.health, result.reason],
      ['dead', 'password authentication failed for user "postgres"'],
    );
  });

  test('no password where one is required is dead', async () => {
    const result = await check(withChanges((url) => Object.assign(url, { password: '' })));
    assert.deepEqual(
      [result.health, result.reason],
      ['dead', 'the server asks for a password and the URL gives none'],
    );
  });

  test('an unknown database is dead', async () => {
    const result = await check(withChanges((url) => Object.assign(url, { pathname: '/nowhere' })));
    assert.deepEqual([result.health, result.reason], ['dead', 'database "nowhere" does not exist']);
  });

  test('sslmode=require, verify-ca and verify-full start TLS (the test CA is trusted)', async () => {
    for (const mode of ['require', 'verify-ca', 'verify-full']) {
      const result = await check(withChanges((url) => url.searchParams.set('sslmode', mode)));
      assert.equal(result.health, 'healthy', `${mode}: ${result.reason}`);
    }
  });

  test('a poll at or above poll_delay_sick is sick, with the latency as the reason', async () => {
    const result = await pollWithSickAtZero(postgresProbe, target(databaseUrl.href));
    assert.equal(result.health, 'sick');
    assert.match(result.reason ?? '', /^slow: \d+ ms \(sick at 0 s\)$/);
  });
});

test('sslmode=require against a server without TLS is dead', async () => {
  const plain = await startTestPostgres();
  try {
    const url = new URL(await plain.createDatabase());
    url.searchParams.set('sslmode', 'require');
    const result = await check(url.href);
    assert.deepEqual([result.health, result.reason], ['dead', 'The server does not support SSL connections']);
    url.searchParams.set('sslmode', 'disable');
    const trusted = await check(url.href);
    assert.equal(trusted.health, 'healthy', `a trusting server needs no password: ${trusted.reason}`);
  } finally {
    await plain.stop();
  }
});

describe('postgres probe against other servers', () => {
  test('a closed port is dead: connection refused', async () => {
    const result = await check(`postgres://postgres@127.0.0.1:${await closedPort()}/postgres`);
    assert.deepEqual([result.health, result.reason], ['dead', 'connection refused']);
  });

  test('a server that never answers is dead when the deadline passes', async () => {
    const served = await serve(createServer());
    try {
      const result = await check(`postgres://postgres@127.0.0.1:${served.port}/postgres`, 300);
      assert.deepEqual([result.health, result.reason], ['dead', 'timed out after 0.3 s']);
    } finally {
      await served.close();
    }
  });
});
