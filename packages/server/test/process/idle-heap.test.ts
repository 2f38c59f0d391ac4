import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  IDLE_CHECK_MS,
  IDLE_CHECKS_BEFORE_SHRINK,
  largeHeapFlags,
  SECOND_COLLECTION_AFTER_CHECKS,
  shrinkHeapWhenIdle,
  smallHeapChosenByOperator,
} from '../../src/process/idle-heap.js';
import { FakeClock } from '../helpers/fake-clock.js';

const SMALL = '--optimize-for-size';
const LARGE = largeHeapFlags();

/** A shrinker over a fake clock whose event loop is as busy as `busy` says at each check. */
function setup() {
  const clock = new FakeClock();
  const calls: string[] = [];
  const state = { busy: 0 };
  const stop = shrinkHeapWhenIdle({
    clock,
    cpuShare: () => state.busy,
    setFlags: (flags) => calls.push(flags),
    collect: () => calls.push('gc'),
  });
  const checks = (count: number) => clock.advance(count * IDLE_CHECK_MS);
  return { clock, calls, state, stop, checks };
}

test('the flag is cleared at once; idle checks in a row set it with a collection, then one more', () => {
  const { calls, checks } = setup();
  assert.deepEqual(calls, [LARGE], 'cleared before the server starts its threads');
  checks(IDLE_CHECKS_BEFORE_SHRINK - 1);
  assert.deepEqual(calls, [LARGE], 'not yet: the process has not been idle long enough');
  checks(1);
  assert.deepEqual(calls, [LARGE, SMALL, 'gc']);
  checks(SECOND_COLLECTION_AFTER_CHECKS - 1);
  assert.deepEqual(calls, [LARGE, SMALL, 'gc']);
  checks(1);
  assert.deepEqual(calls, [LARGE, SMALL, 'gc', 'gc'], 'the second, for what the first left pooled');
  checks(IDLE_CHECKS_BEFORE_SHRINK * 3);
  assert.deepEqual(calls, [LARGE, SMALL, 'gc', 'gc'], 'staying idle collects nothing more');
});

test('a busy check clears the flag at once; idle again, the flag comes back with one collection', () => {
  const { calls, state, checks } = setup();
  checks(IDLE_CHECKS_BEFORE_SHRINK);
  calls.length = 0;
  state.busy = 0.6;
  checks(1);
  assert.deepEqual(calls, [LARGE]);
  checks(10);
  assert.deepEqual(calls, [LARGE], 'still busy: nothing to change');
  state.busy = 0.01;
  checks(IDLE_CHECKS_BEFORE_SHRINK);
  assert.deepEqual(calls, [LARGE, SMALL, 'gc']);
});

test('a busy second among idle ones starts the count again', () => {
  const { calls, state, checks } = setup();
  checks(IDLE_CHECKS_BEFORE_SHRINK - 1);
  state.busy = 0.2;
  checks(1);
  state.busy = 0;
  checks(IDLE_CHECKS_BEFORE_SHRINK - 1);
  assert.deepEqual(calls, [LARGE]);
  checks(1);
  assert.deepEqual(calls, [LARGE, SMALL, 'gc']);
});

test('stopping clears the check timer', () => {
  const { clock, calls, stop, checks } = setup();
  assert.equal(clock.pendingTimers, 1);
  stop();
  assert.equal(clock.pendingTimers, 0);
  checks(IDLE_CHECKS_BEFORE_SHRINK * 2);
  assert.deepEqual(calls, [LARGE]);
});

test("clearing the flag gives the semi-space size back: the operator's, or V8's own", () => {
  assert.equal(largeHeapFlags([], ''), '--no-optimize-for-size --max-semi-space-size=0');
  assert.equal(
    largeHeapFlags(['--max-semi-space-size=8'], ''),
    '--no-optimize-for-size --max-semi-space-size=8',
  );
  assert.equal(
    largeHeapFlags(['--max_semi_space_size=4'], '--max-semi-space-size=2'),
    '--no-optimize-for-size --max-semi-space-size=2',
    'NODE_OPTIONS comes after the command line',
  );
});

test("by default the process's real CPU use is read, and V8's gc() runs without --expose-gc or a global gc", async () => {
  const clock = new FakeClock();
  const flags: string[] = [];
  const garbage = new WeakRef({ unreachable: 'once this turn ends' });
  const stop = shrinkHeapWhenIdle({ clock, setFlags: (flag) => flags.push(flag) });
  // Real idle time between the checks keeps the CPU use low; a busier moment of the test
  // process (the runner's own work) only starts the count again, hence a few more checks.
  for (let check = 0; check < IDLE_CHECKS_BEFORE_SHRINK * 4 && garbage.deref() !== undefined; check++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    clock.advance(IDLE_CHECK_MS);
  }
  stop();
  assert.equal(garbage.deref(), undefined, 'the full collection ran');
  assert.equal(flags.at(-1), '--optimize-for-size');
  assert.equal('gc' in globalThis, false);
});

test("an operator's own choice of the flag, on the command line or in NODE_OPTIONS, is left alone", () => {
  assert.equal(smallHeapChosenByOperator(['--optimize-for-size'], ''), true);
  assert.equal(smallHeapChosenByOperator(['--no-optimize-for-size'], ''), true);
  assert.equal(smallHeapChosenByOperator([], '--max-old-space-size=200 --optimize-for-size'), true);
  assert.equal(smallHeapChosenByOperator(['--enable-source-maps'], '--max-old-space-size=200'), false);
  assert.equal(smallHeapChosenByOperator([], ''), false);
});
