import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requireToken } from '../../src/web/auth.js';
import { AuthThrottle, clientGroup } from '../../src/web/auth-throttle.js';
import { FakeClock } from '../helpers/fake-clock.js';

interface Line {
  level: 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

function setup(options: { maxFailures?: number; maxAddresses?: number; maxLogLinesPerWindow?: number } = {}) {
  const clock = new FakeClock();
  const lines: Line[] = [];
  const throttle = new AuthThrottle({
    maxFailures: options.maxFailures ?? 3,
    windowMs: 60_000,
    clock,
    logger: {
      warn: (fields, message) => lines.push({ level: 'warn', fields: { ...fields }, message }),
      error: (fields, message) => lines.push({ level: 'error', fields: { ...fields }, message }),
    },
    maxAddresses: options.maxAddresses,
    maxLogLinesPerWindow: options.maxLogLinesPerWindow,
  });
  const fail = (address: string, times = 1) => {
    for (let i = 0; i < times; i++)
      throttle.recordFailure({ address, method: 'POST', route: '/reporter/:a/:b' });
  };
  return { clock, lines, throttle, fail };
}

describe('auth throttle', () => {
  test('an address is refused after the limit until its window ends, then may try again', () => {
    const { clock, throttle, fail } = setup();
    fail('192.0.2.1', 2);
    assert.equal(throttle.retryAfterSeconds('192.0.2.1'), 0, 'under the limit');
    clock.advance(10_000);
    fail('192.0.2.1');
    assert.equal(throttle.retryAfterSeconds('192.0.2.1'), 50, 'the window opened at the first failure');
    clock.advance(49_500);
    assert.equal(throttle.retryAfterSeconds('192.0.2.1'), 1, 'rounded up to a whole second');
    clock.advance(500);
    assert.equal(throttle.retryAfterSeconds('192.0.2.1'), 0);
    fail('192.0.2.1', 2);
    assert.equal(throttle.retryAfterSeconds('192.0.2.1'), 0, 'a new window counts from zero');
  });

  test('other addresses are not affected', () => {
    const { throttle, fail } = setup();
    fail('192.0.2.1', 3);
    assert.ok(throttle.retryAfterSeconds('192.0.2.1') > 0);
    assert.equal(throttle.retryAfterSeconds('192.0.2.2'), 0);
    assert.equal(throttle.retryAfterSeconds('2001:db8::1'), 0);
  });

  test('an IPv6 /64 counts as one client, and a mapped IPv4 address as itself', () => {
    const { throttle, fail } = setup();
    fail('2001:db8:1:2::1');
    fail('2001:db8:1:2:ffff::9');
    fail('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    assert.ok(throttle.retryAfterSeconds('2001:db8:1:2::77') > 0);
    assert.equal(throttle.retryAfterSeconds('2001:db8:1:3::1'), 0, 'the next /64 is someone else');
    fail('::ffff:192.0.2.9', 3);
    assert.ok(throttle.retryAfterSeconds('192.0.2.9') > 0);
    assert.equal(clientGroup('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(clientGroup('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(clientGroup('not an address'), 'not an address');
  });

  test('the map is bounded: past maxAddresses the least recently failing address is forgotten', () => {
    const { throttle, fail } = setup({ maxAddresses: 3 });
    fail('192.0.2.1', 3);
    fail('192.0.2.2');
    fail('192.0.2.3');
    assert.ok(throttle.retryAfterSeconds('192.0.2.1') > 0, 'still remembered at the bound');
    fail('192.0.2.4');
    assert.equal(throttle.retryAfterSeconds('192.0.2.1'), 0, 'forgotten to make room');
    fail('192.0.2.2', 2);
    fail('192.0.2.5');
    assert.ok(throttle.retryAfterSeconds('192.0.2.2') > 0, 'a recent failure keeps an address');
  });

  test('a spray of addresses keeps memory bounded and the log short', () => {
    const { clock, lines, throttle, fail } = setup({ maxAddresses: 1000, maxLogLinesPerWindow: 10 });
    for (let i = 0; i < 20_000; i++) fail(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    assert.equal(lines.length, 10, 'at most the budget per window');
    assert.equal(throttle.retryAfterSeconds('10.0.0.0'), 0, 'the oldest addresses were forgotten');
    clock.advance(60_000);
    fail('192.0.2.1');
    assert.match(lines[10]?.message ?? '', /^19990 more failed authentication lines were not logged/);
    assert.equal(lines[10]?.level, 'warn');
    assert.equal(lines[11]?.fields.address, '192.0.2.1');
  });

  test('held-back refusals are summed up as an error, so the default log level shows them', () => {
    const { clock, lines, fail } = setup({ maxFailures: 1, maxLogLinesPerWindow: 1 });
    for (let i = 1; i <= 5; i++) fail(`192.0.2.${i}`);
    assert.deepEqual(
      lines.map((line) => `${line.level}: ${line.message}`),
      ['error: 1 failed authentications from 192.0.2.1: refused for 60 s'],
    );
    clock.advance(60_000);
    fail('192.0.2.9');
    assert.equal(lines[1]?.level, 'error');
    assert.match(
      lines[1]?.message ?? '',
      /^4 more failed authentication lines were not logged in the previous 60 s$/,
    );
  });

  test('one line when an address starts failing and one when it is refused, naming address and route', () => {
    const { lines, fail } = setup();
    fail('192.0.2.1', 10);
    assert.deepEqual(
      lines.map((line) => `${line.level}: ${line.message}`),
      [
        'warn: authentication failed from 192.0.2.1',
        'error: 3 failed authentications from 192.0.2.1: refused for 60 s',
      ],
    );
    assert.deepEqual(lines[0]?.fields, { address: '192.0.2.1', method: 'POST', route: '/reporter/:a/:b' });
  });

  test('a limit of 0 never refuses, but failures are still logged', () => {
    const { lines, throttle, fail } = setup({ maxFailures: 0 });
    fail('192.0.2.1', 100);
    assert.equal(throttle.retryAfterSeconds('192.0.2.1'), 0);
    assert.equal(lines.length, 1);
  });

  test('requireToken refuses to guard a route with an empty token', () => {
    const { throttle } = setup();
    assert.throws(() => requireToken('', 'Reporter Token', throttle), /must not be empty/);
  });
});
