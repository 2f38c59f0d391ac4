import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep } from '../../src/time/clock.js';
import { FakeClock } from './fake-clock.js';

test('fake clock fires timers in due order and only when advanced past them', () => {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push('b'), 200);
  clock.setTimeout(() => fired.push('a'), 100);
  const cancelled = clock.setTimeout(() => fired.push('never'), 150);
  clock.clearTimeout(cancelled);
  assert.equal(clock.nextDueAtMs, 100);
  clock.advance(99);
  assert.deepEqual(fired, []);
  clock.advance(101);
  assert.deepEqual(fired, ['a', 'b']);
  assert.equal(clock.now(), 200);
  assert.equal(clock.nextDueAtMs, undefined);
});

test('sleep rejects at once when its signal aborts', async () => {
  const clock = new FakeClock(0);
  const controller = new AbortController();
  const pending = sleep(clock, 1000, controller.signal);
  controller.abort(new Error('stopping'));
  await assert.rejects(pending, /stopping/);
  assert.equal(clock.pendingTimers, 0);
});
