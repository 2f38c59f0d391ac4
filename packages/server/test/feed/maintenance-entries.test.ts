import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maintenanceEntries } from '../../src/feed/maintenance-entries.js';
import { MaintenanceSchedule } from '../../src/maintenance/schedule.js';
import { openStore } from '../../src/store/open.js';
import { FakeClock } from '../helpers/fake-clock.js';

const HOUR_MS = 3_600_000;

test('a maintenance window is one entry that changes when scheduled, when it starts and when it ends', async () => {
  const clock = new FakeClock();
  const store = await openStore({ engine: 'sqlite', path: ':memory:' });
  const schedule = await MaintenanceSchedule.load(store.maintenance, clock);
  const source = maintenanceEntries(schedule, clock);
  let changes = 0;
  const stop = source.onChange?.(() => changes++);
  const createdAtMs = clock.now();
  const window = await schedule.add({
    title: 'Router swap',
    text: 'The router is replaced.',
    startsAtMs: createdAtMs + HOUR_MS,
    endsAtMs: createdAtMs + 2 * HOUR_MS,
    services: ['web'],
    nodes: [],
  });
  const seen = async () => {
    const [entry, ...rest] = await source.entries(10);
    assert.deepEqual(rest, []);
    assert.ok(entry);
    assert.equal(entry.id, `urn:uuid:${window.id}`);
    assert.equal(entry.kind, 'maintenance');
    assert.equal(entry.publishedMs, createdAtMs);
    return { title: entry.title, updatedMs: entry.updatedMs - createdAtMs };
  };
  assert.deepEqual(await seen(), { title: 'Scheduled maintenance: Router swap', updatedMs: 0 });
  clock.advance(HOUR_MS);
  assert.deepEqual(await seen(), { title: 'Maintenance in progress: Router swap', updatedMs: HOUR_MS });
  clock.advance(HOUR_MS);
  assert.deepEqual(await seen(), { title: 'Maintenance completed: Router swap', updatedMs: 2 * HOUR_MS });
  // Added, started, ended: the feed rebuilds and the publisher looks at each.
  assert.equal(changes, 3);
  stop?.();
  await schedule.stop();
  await store.close();
});
