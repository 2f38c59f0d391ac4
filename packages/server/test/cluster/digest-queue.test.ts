import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DigestQueue } from '../../src/cluster/digest-queue.js';

/** Received bulk notifications: one per turn of the event loop, whatever else waits between them. */

test('payloads are applied one per turn, so work queued meanwhile runs between them', async () => {
  const order: string[] = [];
  const queue = new DigestQueue<string>(
    (payload) => order.push(payload),
    () => order.push('dropped'),
  );
  for (const payload of ['p1', 'p2', 'p3']) queue.push(payload);
  setImmediate(() => order.push('other work'));
  assert.deepEqual(order, [], 'nothing is applied as it arrives');
  while (!queue.idle) await nextTurn();
  assert.deepEqual(order, ['p1', 'other work', 'p2', 'p3']);
});

test('beyond its bound the oldest waiting payload goes', async () => {
  const applied: string[] = [];
  let dropped = 0;
  const queue = new DigestQueue<string>(
    (payload) => applied.push(payload),
    () => dropped++,
    2,
  );
  for (const payload of ['oldest', 'older', 'new']) queue.push(payload);
  assert.equal(dropped, 1);
  while (!queue.idle) await nextTurn();
  assert.deepEqual(applied, ['older', 'new']);
});

test('stopped, it applies nothing more', async () => {
  const applied: string[] = [];
  const queue = new DigestQueue<string>(
    (payload) => applied.push(payload),
    () => {},
  );
  queue.push('p1');
  queue.stop();
  await nextTurn();
  await nextTurn();
  assert.deepEqual(applied, []);
  assert.ok(queue.idle);
});
