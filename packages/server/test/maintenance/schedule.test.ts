import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MaintenanceSchedule } from '../../src/maintenance/schedule.js';
import { MAINTENANCE_WINDOWS_MAX, MaintenanceFullError } from '../../src/maintenance/types.js';
import { openStore } from '../../src/store/open.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { windowAt } from './windows.js';

const MINUTE = 60_000;

describeEachEngine('maintenance schedule', (engine) => {
  test('a window is upcoming, then active exactly at its start, then past exactly at its end', async () => {
    const store = await engine.freshStore();
    const clock = new FakeClock();
    const schedule = await MaintenanceSchedule.load(store.maintenance, clock);
    let changes = 0;
    schedule.onChange(() => {
      changes += 1;
    });
    const added = await schedule.add(windowAt(clock, 10 * MINUTE, 30 * MINUTE));
    assert.equal(changes, 1);
    assert.deepEqual(
      schedule.upcoming().map((each) => each.id),
      [added.id],
    );
    assert.equal(schedule.active().length, 0);
    assert.equal(schedule.isUnderMaintenance('web', 'app'), false);

    clock.advance(10 * MINUTE - 1);
    assert.equal(schedule.isUnderMaintenance('web', 'app'), false);
    clock.advance(1);
    assert.equal(changes, 2, 'the start is a change listeners hear of');
    assert.equal(schedule.isUnderMaintenance('web', 'app'), true);
    assert.equal(schedule.isUnderMaintenance('web', 'other'), false);
    assert.equal(schedule.isUnderMaintenance('other', 'app'), false);
    assert.deepEqual(
      schedule.active().map((each) => each.id),
      [added.id],
    );
    assert.deepEqual(await schedule.past({ limit: 10 }), []);

    clock.advance(30 * MINUTE);
    assert.equal(changes, 3);
    assert.equal(schedule.isUnderMaintenance('web', 'app'), false);
    assert.equal(schedule.active().length + schedule.upcoming().length, 0);
    const past = await schedule.past({ limit: 10 });
    assert.deepEqual(past, [added], 'ended windows stay in the store, whole');
    await schedule.stop();
    await store.close();
  });

  test('a service covers each of its nodes; overlapping windows keep a node covered until the last ends', async () => {
    const store = await engine.freshStore();
    const clock = new FakeClock();
    const schedule = await MaintenanceSchedule.load(store.maintenance, clock);
    await schedule.add({ ...windowAt(clock, 0, 20 * MINUTE, []), services: ['web'] });
    await schedule.add(windowAt(clock, 10 * MINUTE, 20 * MINUTE));
    assert.equal(schedule.isUnderMaintenance('web', 'anything'), true);
    clock.advance(25 * MINUTE);
    assert.equal(schedule.isUnderMaintenance('web', 'anything'), false);
    assert.equal(schedule.isUnderMaintenance('web', 'app'), true);
    clock.advance(5 * MINUTE);
    assert.equal(schedule.isUnderMaintenance('web', 'app'), false);
    await schedule.stop();
    await store.close();
  });

  test('windows survive a restart with the same ids and phases; removed ones do not', async () => {
    const location = await engine.freshLocation();
    const clock = new FakeClock();
    let store = await openStore(location);
    let schedule = await MaintenanceSchedule.load(store.maintenance, clock);
    const kept = await schedule.add(windowAt(clock, 0, 60 * MINUTE));
    const later = await schedule.add(windowAt(clock, 120 * MINUTE, MINUTE, ['relay:lan']));
    const removed = await schedule.add(windowAt(clock, 5 * MINUTE, MINUTE));
    assert.equal(await schedule.remove(removed.id), true);
    assert.equal(await schedule.remove(removed.id), false);
    await schedule.stop();
    await store.close();

    clock.advance(90 * MINUTE);
    store = await openStore(location);
    schedule = await MaintenanceSchedule.load(store.maintenance, clock);
    assert.deepEqual(schedule.upcoming(), [later]);
    assert.deepEqual(await schedule.past({ limit: 10 }), [kept], 'it ended while Vigil TS was down');
    clock.advance(30 * MINUTE);
    assert.equal(schedule.isUnderMaintenance('relay', 'lan'), true, 'the timer is armed after a restart');
    await schedule.stop();
    await store.close();
  });

  test('a window is changed in place: same id, new fields and phase, kept across a restart', async () => {
    const location = await engine.freshLocation();
    const clock = new FakeClock();
    let store = await openStore(location);
    let schedule = await MaintenanceSchedule.load(store.maintenance, clock);
    const window = await schedule.add(windowAt(clock, 30 * MINUTE, 60 * MINUTE));
    let changes = 0;
    schedule.onChange(() => {
      changes += 1;
    });
    assert.equal(schedule.isUnderMaintenance('web', 'app'), false);
    // Brought forward to now and moved to the relay: in progress at once, over the new node only.
    const moved = await schedule.update(window.id, {
      ...windowAt(clock, 0, 10 * MINUTE, ['relay:lan']),
      title: 'Relay move',
    });
    assert.equal(moved?.id, window.id);
    assert.equal(moved?.createdAtMs, window.createdAtMs);
    assert.equal(changes, 1);
    assert.equal(schedule.isUnderMaintenance('relay', 'lan'), true);
    assert.equal(schedule.isUnderMaintenance('web', 'app'), false);
    assert.equal(
      await schedule.update('00000000-0000-4000-8000-000000000000', windowAt(clock, 0, MINUTE)),
      undefined,
    );
    await schedule.stop();
    await store.close();

    store = await openStore(location);
    schedule = await MaintenanceSchedule.load(store.maintenance, clock);
    assert.deepEqual(schedule.active(), [moved]);
    clock.advance(10 * MINUTE);
    assert.equal(schedule.isUnderMaintenance('relay', 'lan'), false, 'the new end is armed');
    assert.equal(
      await schedule.update(window.id, windowAt(clock, 0, MINUTE)),
      undefined,
      'an ended window stays as it ended',
    );
    await schedule.stop();
    await store.close();
  });

  test('removing a window in progress ends it at once', async () => {
    const store = await engine.freshStore();
    const clock = new FakeClock();
    const schedule = await MaintenanceSchedule.load(store.maintenance, clock);
    const window = await schedule.add(windowAt(clock, 0, 60 * MINUTE));
    let changes = 0;
    schedule.onChange(() => {
      changes += 1;
    });
    assert.equal(await schedule.remove(window.id), true);
    assert.equal(changes, 1);
    assert.equal(schedule.isUnderMaintenance('web', 'app'), false);
    await schedule.stop();
    await store.close();
  });

  test(`past windows page newest first; at most ${MAINTENANCE_WINDOWS_MAX} upcoming or active, even when added at once`, async () => {
    const store = await engine.freshStore();
    const clock = new FakeClock();
    const schedule = await MaintenanceSchedule.load(store.maintenance, clock);
    const ended = [];
    for (let index = 0; index < 3; index += 1) {
      ended.push(await schedule.add(windowAt(clock, 0, MINUTE)));
      clock.advance(MINUTE);
    }
    const first = await schedule.past({ limit: 2 });
    assert.deepEqual(
      first.map((each) => each.id),
      [ended[2]?.id, ended[1]?.id],
    );
    const last = first.at(-1);
    assert.ok(last);
    const next = await schedule.past({ limit: 2, before: { endsAtMs: last.endsAtMs, id: last.id } });
    assert.deepEqual(
      next.map((each) => each.id),
      [ended[0]?.id],
    );

    const results = await Promise.allSettled(
      Array.from({ length: MAINTENANCE_WINDOWS_MAX + 5 }, () =>
        schedule.add(windowAt(clock, MINUTE, MINUTE)),
      ),
    );
    const refused = results.filter((result) => result.status === 'rejected');
    assert.equal(refused.length, 5);
    for (const result of refused) assert.ok(result.reason instanceof MaintenanceFullError);
    assert.equal(schedule.upcoming().length, MAINTENANCE_WINDOWS_MAX);
    assert.equal((await store.maintenance.listCurrent(clock.now())).length, MAINTENANCE_WINDOWS_MAX);
    await schedule.stop();
    await store.close();
  });
});
