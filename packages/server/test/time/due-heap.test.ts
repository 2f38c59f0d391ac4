import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DueEntry, DueHeap } from '../../src/time/due-heap.js';
import { FakeClock } from '../helpers/fake-clock.js';

interface Named extends DueEntry {
  name: string;
}

const entry = (name: string): Named => ({ name, dueAtMs: 0, slot: -1, order: 0 });

function setup(perTurn = 1000) {
  const clock = new FakeClock();
  const fired: string[] = [];
  const heap = new DueHeap<Named>(clock, perTurn, (due) => fired.push(`${due.name}@${clock.now() - start}`));
  const start = clock.now();
  return { clock, heap, fired, start };
}

test('entries fire in due order, ties in the order they were scheduled, under one timer', () => {
  const { clock, heap, fired, start } = setup();
  for (const [name, delayMs] of [
    ['c', 300],
    ['a', 100],
    ['b', 100],
    ['d', 200],
  ] as const) {
    heap.schedule(entry(name), start + delayMs);
  }
  assert.equal(clock.pendingTimers, 1);
  clock.advance(250);
  assert.deepEqual(fired, ['a@100', 'b@100', 'd@200']);
  clock.advance(100);
  assert.deepEqual(fired, ['a@100', 'b@100', 'd@200', 'c@300']);
  assert.equal(heap.size, 0);
  assert.equal(clock.pendingTimers, 0);
});

test('a moved entry fires at its new time only, and a cancelled one never', () => {
  const { clock, heap, fired, start } = setup();
  const entries = ['a', 'b', 'c', 'd', 'e'].map(entry);
  entries.forEach((each, index) => {
    heap.schedule(each, start + (index + 1) * 100);
  });
  const [a, b, c, , e] = entries;
  if (!a || !b || !c || !e) throw new Error('five entries');
  heap.schedule(a, start + 450); // later
  heap.schedule(e, start + 50); // earlier
  heap.cancel(c);
  heap.cancel(c); // twice is harmless
  clock.advance(1000);
  assert.deepEqual(fired, ['e@50', 'b@200', 'd@400', 'a@450']);
  assert.equal(c.slot, -1);
});

test('many entries due together are handled a bounded number per turn, others in between', () => {
  const { clock, heap, fired, start } = setup(10);
  for (let index = 0; index < 35; index++) heap.schedule(entry(`r${index}`), start + 1000);
  const turns: number[] = [];
  // Another timer due at the same instant: it runs between two turns of the heap.
  clock.setTimeout(() => turns.push(fired.length), 1000);
  clock.advance(1000);
  assert.equal(fired.length, 35);
  assert.deepEqual(turns, [10]);
  assert.deepEqual(fired.slice(0, 3), ['r0@1000', 'r1@1000', 'r2@1000']);
});

test('a due time past the longest Node timer is reached in steps', () => {
  const { clock, heap, fired, start } = setup();
  const fortyDaysMs = 40 * 24 * 3600 * 1000;
  heap.schedule(entry('late'), start + fortyDaysMs);
  clock.advance(fortyDaysMs - 1);
  assert.deepEqual(fired, []);
  clock.advance(1);
  assert.deepEqual(fired, [`late@${fortyDaysMs}`]);
});

test('clear drops every entry and the timer', () => {
  const { clock, heap, fired, start } = setup();
  const kept = entry('a');
  heap.schedule(kept, start + 100);
  heap.schedule(entry('b'), start + 200);
  heap.clear();
  assert.equal(clock.pendingTimers, 0);
  assert.equal(kept.slot, -1);
  clock.advance(1000);
  assert.deepEqual(fired, []);
  heap.schedule(kept, start + 1100);
  clock.advance(100);
  assert.deepEqual(fired, ['a@1100']);
});

test('entries scheduled while others are handed out share the one timer', () => {
  const clock = new FakeClock();
  const start = clock.now();
  const fired: string[] = [];
  const heap: DueHeap<Named> = new DueHeap<Named>(clock, 2, (due) => {
    fired.push(`${due.name}@${clock.now() - start}`);
    // Each due entry comes back once, 100 ms later (a death arming its forget time).
    if (!due.name.endsWith("'")) heap.schedule(entry(`${due.name}'`), clock.now() + 100);
  });
  for (const name of ['a', 'b', 'c']) heap.schedule(entry(name), start + 100);
  clock.advance(100);
  assert.equal(clock.pendingTimers, 1);
  clock.advance(100);
  assert.deepEqual(fired, ['a@100', 'b@100', 'c@100', "a'@200", "b'@200", "c'@200"]);
  assert.equal(clock.pendingTimers, 0);
  heap.clear();
});

test('reports moving the first entry later keep the armed timer, which fires early and re-arms once', () => {
  const { clock, heap, fired, start } = setup();
  let armed = 0;
  const setTimeout = clock.setTimeout.bind(clock);
  clock.setTimeout = (callback, delayMs) => {
    armed += 1;
    return setTimeout(callback, delayMs);
  };
  const entries = ['a', 'b', 'c'].map(entry);
  entries.forEach((each, index) => {
    heap.schedule(each, start + 1000 + index);
  });
  assert.equal(armed, 1);
  // Round-robin reports: each moves the entry due first 1,000 ms past its last report.
  for (let round = 1; round <= 10; round++) {
    clock.advance(100);
    for (const each of entries) heap.schedule(each, clock.now() + 1000);
  }
  assert.equal(armed, 2, 'the first timer fired early once and armed the next; reports armed none');
  assert.deepEqual(fired, []);
  assert.equal(clock.pendingTimers, 1);
  clock.advance(1000);
  assert.deepEqual(fired, ['a@2000', 'b@2000', 'c@2000']);
  assert.equal(clock.pendingTimers, 0);
});
