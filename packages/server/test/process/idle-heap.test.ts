import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BUSY_CHECKS_BEFORE_COMPILERS,
  BUSY_JIT_FLAGS,
  IDLE_CHECK_MS,
  IDLE_CHECKS_BEFORE_SHRINK,
  type IdleHeapOptions,
  jitChosenByOperator,
  largeHeapFlags,
  QUIET_JIT_FLAGS,
  SECOND_COLLECTION_AFTER_CHECKS,
  shrinkHeapWhenIdle,
  smallHeapChosenByOperator,
} from '../../src/process/idle-heap.js';
import type { TrimOutcome } from '../../src/process/malloc-trim.js';
import { FakeClock } from '../helpers/fake-clock.js';

const SMALL = '--optimize-for-size';
const LARGE = largeHeapFlags();

/**
 * A shrinker over a fake clock whose event loop is as busy as `busy` says at each check; the
 * compilers left alone unless `options` says otherwise.
 */
function setup(options: Partial<IdleHeapOptions> = { quietJit: false }) {
  const clock = new FakeClock();
  const calls: string[] = [];
  const state = { busy: 0 };
  const stop = shrinkHeapWhenIdle({
    clock,
    cpuShare: () => state.busy,
    setFlags: (flags) => calls.push(flags),
    collect: () => calls.push('gc'),
    ...options,
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

test('each collection is followed by a trim of freed memory, until the system says it has none', () => {
  const outcomes: TrimOutcome[] = ['released', 'unavailable'];
  const { calls, state, checks } = setup({
    quietJit: false,
    trim: () => {
      calls.push('trim');
      return outcomes.shift() ?? 'released';
    },
  });
  checks(IDLE_CHECKS_BEFORE_SHRINK + SECOND_COLLECTION_AFTER_CHECKS);
  assert.deepEqual(calls, [LARGE, SMALL, 'gc', 'trim', 'gc', 'trim']);
  state.busy = 1;
  checks(1);
  state.busy = 0;
  checks(IDLE_CHECKS_BEFORE_SHRINK + SECOND_COLLECTION_AFTER_CHECKS);
  assert.deepEqual(
    calls,
    [LARGE, SMALL, 'gc', 'trim', 'gc', 'trim', LARGE, SMALL, 'gc', 'gc'],
    'an unavailable trim is not asked again',
  );
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
  const stop = shrinkHeapWhenIdle({ clock, setFlags: (flag) => flags.push(flag), quietJit: false });
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

test('the compilers, off since the load, come back at once by default, and go and come with the heap flag', () => {
  const { calls, state, checks } = setup({ quietJit: true });
  assert.deepEqual(calls, [LARGE, BUSY_JIT_FLAGS], 'a large fleet starts with them');
  checks(IDLE_CHECKS_BEFORE_SHRINK);
  assert.deepEqual(calls.slice(2), [SMALL, QUIET_JIT_FLAGS, 'gc'], 'quiet: off again');
  calls.length = 0;
  state.busy = 0.6;
  checks(1);
  assert.deepEqual(calls, [LARGE], 'one busy second: the heap may grow, the compilers wait');
  checks(BUSY_CHECKS_BEFORE_COMPILERS - 1);
  assert.deepEqual(calls, [LARGE, BUSY_JIT_FLAGS], 'sustained work brings them back');
  checks(5);
  assert.deepEqual(calls, [LARGE, BUSY_JIT_FLAGS]);
});

test('busy seconds apart never bring the compilers back', () => {
  const { calls, state, checks } = setup({ quietJit: true });
  checks(IDLE_CHECKS_BEFORE_SHRINK);
  calls.length = 0;
  for (let second = 0; second < 20; second++) {
    state.busy = second % 2 === 0 ? 0.6 : 0;
    checks(1);
  }
  assert.equal(calls.includes(BUSY_JIT_FLAGS), false, calls.join(' | '));
});

test("a small fleet's start keeps them off: they come back only for busy checks after it", async () => {
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const { calls, state, checks } = setup({ quietJit: true, compilersBack: started });
  assert.deepEqual(calls, [LARGE], 'the heap flag is cleared for the start, the compilers stay off');
  state.busy = 0.9;
  checks(BUSY_CHECKS_BEFORE_COMPILERS * 3);
  assert.deepEqual(calls, [LARGE], 'the start is busy, and does not count');
  markStarted();
  await started;
  checks(BUSY_CHECKS_BEFORE_COMPILERS - 1);
  assert.deepEqual(calls, [LARGE]);
  checks(1);
  assert.deepEqual(calls, [LARGE, BUSY_JIT_FLAGS]);
});

test('without the quiet compilers (an operator chose a tier), their flags are never set', () => {
  const { calls, state, checks } = setup({ quietJit: false });
  checks(IDLE_CHECKS_BEFORE_SHRINK);
  state.busy = 0.6;
  checks(BUSY_CHECKS_BEFORE_COMPILERS * 2);
  assert.deepEqual(calls, [LARGE, SMALL, 'gc', LARGE]);
});

test("an operator's choice of a compiler tier is seen on the command line and in NODE_OPTIONS", () => {
  assert.equal(jitChosenByOperator(['--no-opt'], ''), true);
  assert.equal(jitChosenByOperator([], '--max-old-space-size=200 --jitless'), true);
  assert.equal(jitChosenByOperator(['--no_sparkplug'], ''), true);
  assert.equal(jitChosenByOperator(['--turbofan'], ''), true);
  assert.equal(jitChosenByOperator(['--optimize-for-size', '--max-semi-space-size=4'], ''), false);
  assert.equal(jitChosenByOperator([], ''), false);
});
