import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { MIXED_PROBES } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { exchange } from '../helpers/http-exchange.js';
import { basicAuth, startTestServer } from '../helpers/server.js';

const REPORTER_TOKEN = 'reporter-secret';
const LIMIT = 5;
const REPORT = JSON.stringify({ replica: 'r1', interval: 30, load: { cpu: 0.1, ram: 0.1 } });

describe('auth hygiene over HTTP', () => {
  const clock = new FakeClock();
  const logLines: Array<Record<string, unknown>> = [];
  let server: Awaited<ReturnType<typeof startTestServer>>;

  before(async () => {
    const logger = pino({ level: 'warn' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
    server = await startTestServer(MIXED_PROBES, {
      clock,
      logger,
      configure: (config) => {
        config.server.auth_failure_limit = LIMIT;
        config.server.auth_failure_window = 60;
      },
    });
  });
  after(() => server.close());

  const report = (password: string, from = '127.0.0.1') =>
    exchange(server.port, '/reporter/web/app/', {
      method: 'POST',
      headers: { Authorization: basicAuth(password), 'Content-Type': 'application/json' },
      body: REPORT,
      localAddress: from,
    });

  test('a header without a colon never authenticates, even with the token as user name', async () => {
    const cases = [
      { credentials: REPORTER_TOKEN, status: 403 },
      { credentials: `${REPORTER_TOKEN}${REPORTER_TOKEN}`, status: 403 },
      { credentials: '', status: 401 },
    ];
    for (const { credentials, status } of cases) {
      const answer = await exchange(server.port, '/reporter/web/app/', {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
          'Content-Type': 'application/json',
        },
        body: REPORT,
        localAddress: '127.0.0.9',
      });
      assert.equal(answer.status, status, JSON.stringify(credentials));
    }
    const emptyPassword = await report('', '127.0.0.9');
    assert.equal(emptyPassword.status, 403);
  });

  test('successes are never throttled: many right tokens from one address all pass', async () => {
    for (let i = 0; i < 3 * LIMIT; i++) assert.equal((await report(REPORTER_TOKEN, '127.0.0.3')).status, 200);
  });

  test('wrong tokens are throttled per address with 429 and Retry-After, then lifted', async () => {
    logLines.length = 0;
    for (let i = 0; i < LIMIT; i++) assert.equal((await report(`guess-${i}`)).status, 403);
    const refused = await report('guess-again');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '60');
    assert.match(JSON.parse(refused.body).error, /too many failed authentications/);

    // While throttled even the right token waits: otherwise guessing would go on at full speed.
    assert.equal((await report(REPORTER_TOKEN)).status, 429);
    // Public routes stay open to the address.
    assert.equal((await exchange(server.port, '/status/text/')).status, 200);
    // Another client is not affected.
    assert.equal((await report(REPORTER_TOKEN, '127.0.0.2')).status, 200);

    clock.advance(30_000);
    assert.equal((await report(REPORTER_TOKEN)).headers['retry-after'], '30');
    clock.advance(30_000);
    assert.equal((await report(REPORTER_TOKEN)).status, 200, 'lifted once the window ends');
    assert.equal((await report('one-more-guess')).status, 403, 'a new window starts from zero');
  });

  test('failures are logged with address and route, never the token, and the log stays short', async () => {
    clock.advance(60_000);
    logLines.length = 0;
    for (let i = 0; i < 300; i++) await report(`spray-${i}`, '127.0.0.4');
    const failures = logLines.filter((line) => /authentication/.test(String(line.msg)));
    assert.deepEqual(
      failures.map((line) => line.msg),
      [
        'authentication failed from 127.0.0.4',
        `${LIMIT} failed authentications from 127.0.0.4: refused for 60 s`,
      ],
    );
    assert.equal(failures[0]?.address, '127.0.0.4');
    assert.equal(failures[0]?.route, '/reporter/:probeId/:nodeId');
    assert.equal(failures[0]?.method, 'POST');
    const logged = JSON.stringify(logLines);
    assert.ok(!logged.includes('spray-'), 'no guessed token in the log');
    assert.ok(
      !logged.includes(Buffer.from(':spray-1').toString('base64')),
      'no Authorization header in the log',
    );
  });
});
