import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COLLECT_AFTER_ROUND_MS, IdleCollection } from '../../src/scheduler/worker/idle-collection.js';
import { FakeClock } from '../helpers/fake-clock.js';

function setUp(intervalMs: number) {
  const clock = new FakeClock(0);
  const collectedAtMs: number[] = [];
  const idle = new IdleCollection({ clock, intervalMs, collect: () => collectedAtMs.push(clock.now()) });
  return { clock, idle, collectedAtMs };
}

test('a round end collects at once and again once the thread has been quiet, before the next round', () => {
  const { clock, idle, collectedAtMs } = setUp(10_000);
  idle.roundEnded();
  assert.deepEqual(collectedAtMs, [0]);
  clock.advance(COLLECT_AFTER_ROUND_MS - 1);
  assert.deepEqual(collectedAtMs, [0]);
  clock.advance(1);
  assert.deepEqual(collectedAtMs, [0, COLLECT_AFTER_ROUND_MS]);
  clock.advance(60_000);
  assert.equal(collectedAtMs.length, 2, 'nothing more until the next round ends');
});

test('a pause too short for the young generation to be given back gets the first collection only', () => {
  const { clock, idle, collectedAtMs } = setUp(COLLECT_AFTER_ROUND_MS);
  idle.roundEnded();
  clock.advance(60_000);
  assert.deepEqual(collectedAtMs, [0]);
});

test('a stopping thread collects no more', () => {
  const { clock, idle, collectedAtMs } = setUp(10_000);
  idle.roundEnded();
  idle.cancel();
  clock.advance(60_000);
  assert.deepEqual(collectedAtMs, [0]);
});

test('each round end starts the wait again: one second collection per pause', () => {
  const { clock, idle, collectedAtMs } = setUp(10_000);
  idle.roundEnded();
  clock.advance(1000);
  idle.roundEnded();
  clock.advance(60_000);
  assert.deepEqual(collectedAtMs, [0, 1000, 1000 + COLLECT_AFTER_ROUND_MS]);
});
