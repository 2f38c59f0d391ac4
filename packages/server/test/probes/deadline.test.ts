import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Deadline } from '../../src/probes/deadline.js';

test('when the time is up, abort callbacks run and a dead result carries the timeout', async () => {
  const outer = new AbortController();
  const deadline = new Deadline(20, outer.signal);
  let passedWith: Error | undefined;
  deadline.onAbort(() => {
    passedWith = deadline.reason;
  });
  // The deadline's timer never keeps the process alive: this sleep does, past it.
  await sleep(60);
  assert.equal(passedWith?.message, 'timed out after 0.02 s');
  assert.equal(deadline.dead('connection reset').reason, 'timed out after 0.02 s');
  // A signal asked for afterwards is already aborted, with the same reason.
  assert.equal(deadline.signal.aborted, true);
  assert.equal(deadline.signal.reason, deadline.reason);
  // A callback added after the deadline passed runs at once.
  let late = false;
  deadline.onAbort(() => {
    late = true;
  });
  assert.equal(late, true);
  deadline.dispose();
});

test("the caller's abort passes the deadline at once, and reaches a signal made before", () => {
  const outer = new AbortController();
  const deadline = new Deadline(10_000, outer.signal);
  const { signal } = deadline;
  const calls: string[] = [];
  deadline.onAbort(() => calls.push('first'));
  const remove = deadline.onAbort(() => calls.push('removed'));
  deadline.onAbort(() => calls.push('second'));
  remove();
  outer.abort();
  assert.deepEqual(calls, ['first', 'second']);
  assert.equal(signal.aborted, true);
  assert.equal(deadline.dead('whatever').reason, 'aborted');
  deadline.dispose();
});

test('an already aborted caller makes a deadline that has passed', () => {
  const outer = new AbortController();
  outer.abort();
  const deadline = new Deadline(10_000, outer.signal);
  assert.equal(deadline.reason?.message, 'aborted');
  deadline.dispose();
});

test("dispose stops the timer and leaves no listener on the caller's signal", async () => {
  const outer = new AbortController();
  const deadline = new Deadline(20, outer.signal);
  let called = false;
  deadline.onAbort(() => {
    called = true;
  });
  assert.equal(getEventListeners(outer.signal, 'abort').length, 1);
  deadline.dispose();
  assert.equal(getEventListeners(outer.signal, 'abort').length, 0);
  await sleep(60);
  outer.abort();
  assert.equal(called, false);
  assert.equal(deadline.reason, undefined);
  assert.equal(deadline.healthy().health, 'healthy');
});
