import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DurableAnnouncements } from '../../src/announcements/durable.js';
import { MemoryAnnouncementStore } from '../../src/announcements/memory.js';
import { ANNOUNCEMENTS_MAX, AnnouncementsFullError } from '../../src/announcements/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { describeEachEngine } from '../helpers/store-engines.js';

test('the memory store holds at most ANNOUNCEMENTS_MAX current announcements; expired ones do not count', () => {
  const clock = new FakeClock();
  const store = new MemoryAnnouncementStore(clock);
  store.add({ title: 'Short-lived', text: 'x', expiresAtMs: clock.now() + 1000 });
  for (let n = 1; n < ANNOUNCEMENTS_MAX; n++) store.add({ title: `n${n}`, text: 'x' });
  assert.throws(() => store.add({ title: 'one too many', text: 'x' }), AnnouncementsFullError);
  assert.equal(store.list().length, ANNOUNCEMENTS_MAX);
  assert.ok(!store.list().some((each) => each.title === 'one too many'));
  clock.advance(1000);
  assert.equal(store.add({ title: 'room again', text: 'x' }).title, 'room again');
  store.stop();
});

describeEachEngine('durable announcements bound', (engine) => {
  test('concurrent adds never overshoot ANNOUNCEMENTS_MAX, in memory or in the store', async () => {
    const store = await engine.freshStore();
    try {
      const announcements = await DurableAnnouncements.load(store.announcements, new FakeClock());
      const results = await Promise.allSettled(
        Array.from({ length: ANNOUNCEMENTS_MAX + 5 }, (_, n) =>
          announcements.add({ title: `n${n}`, text: 'x' }),
        ),
      );
      const refused = results.filter((result) => result.status === 'rejected');
      assert.equal(refused.length, 5);
      for (const result of refused) assert.ok(result.reason instanceof AnnouncementsFullError);
      assert.equal(announcements.list().length, ANNOUNCEMENTS_MAX);
      assert.equal((await store.announcements.list()).length, ANNOUNCEMENTS_MAX);
      const [first] = announcements.list();
      assert.ok(first && (await announcements.remove(first.id)));
      await announcements.add({ title: 'room again', text: 'x' });
      await announcements.stop();
    } finally {
      await store.close();
    }
  });
});
