import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryAnnouncementStore } from '../../src/announcements/memory.js';
import { FakeClock } from '../helpers/fake-clock.js';

describe('in-memory announcements', () => {
  test('add gives a UUID v4 and the publication time; list is oldest first', () => {
    const clock = new FakeClock();
    const store = new MemoryAnnouncementStore(clock);
    const first = store.add({ title: 'One', text: 'first' });
    clock.advance(1000);
    const second = store.add({ title: 'Two', text: 'second', severity: 'warning' });
    assert.match(first.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(first, { id: first.id, title: 'One', text: 'first', atMs: clock.now() - 1000 });
    assert.deepEqual(
      store.list().map((each) => each.title),
      ['One', 'Two'],
    );
    assert.equal(second.severity, 'warning');
  });

  test('remove reports whether it removed something; listeners hear each change', () => {
    const store = new MemoryAnnouncementStore(new FakeClock());
    let changes = 0;
    const stop = store.onChange(() => {
      changes += 1;
    });
    const { id } = store.add({ title: 'One', text: 'x' });
    assert.equal(store.remove('nope'), false);
    assert.equal(store.remove(id), true);
    assert.equal(store.remove(id), false);
    assert.equal(changes, 2);
    stop();
    store.add({ title: 'Two', text: 'y' });
    assert.equal(changes, 2);
  });

  test('update replaces the fields in place, keeps id and publication time, and re-arms the expiry', () => {
    const clock = new FakeClock();
    const store = new MemoryAnnouncementStore(clock);
    let changes = 0;
    store.onChange(() => {
      changes += 1;
    });
    const first = store.add({ title: 'One', text: 'x', severity: 'critical' });
    store.add({ title: 'Two', text: 'y' });
    clock.advance(1000);
    const updated = store.update(first.id, {
      title: 'One, edited',
      text: 'z',
      expiresAtMs: clock.now() + 5000,
    });
    assert.deepEqual(updated, {
      id: first.id,
      atMs: first.atMs,
      title: 'One, edited',
      text: 'z',
      expiresAtMs: clock.now() + 5000,
    });
    assert.deepEqual(
      store.list().map((each) => each.title),
      ['One, edited', 'Two'],
    );
    assert.equal(store.update('nope', { title: 'Ghost', text: 'x' }), undefined);
    assert.equal(changes, 3);
    clock.advance(5000);
    assert.deepEqual(
      store.list().map((each) => each.title),
      ['Two'],
    );
    assert.equal(changes, 4);
  });

  test('an announcement leaves the list at its expiry, and listeners hear it then', () => {
    const clock = new FakeClock();
    const store = new MemoryAnnouncementStore(clock);
    store.add({ title: 'Later', text: 'x', expiresAtMs: clock.now() + 60_000 });
    store.add({ title: 'Sooner', text: 'y', expiresAtMs: clock.now() + 10_000 });
    store.add({ title: 'Forever', text: 'z' });
    let changes = 0;
    store.onChange(() => {
      changes += 1;
    });
    clock.advance(9_999);
    assert.equal(store.list().length, 3);
    clock.advance(1);
    assert.deepEqual(
      store.list().map((each) => each.title),
      ['Later', 'Forever'],
    );
    assert.equal(changes, 1);
    clock.advance(50_000);
    assert.deepEqual(
      store.list().map((each) => each.title),
      ['Forever'],
    );
    assert.equal(changes, 2);
    assert.equal(clock.pendingTimers, 0, 'no timer left without expiring announcements');
  });

  test('stop cancels the expiry timer', () => {
    const clock = new FakeClock();
    const store = new MemoryAnnouncementStore(clock);
    store.add({ title: 'Later', text: 'x', expiresAtMs: clock.now() + 60_000 });
    store.stop();
    assert.equal(clock.pendingTimers, 0);
  });
});
