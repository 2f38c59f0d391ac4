import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { parseConfigText } from '../../src/config/load.js';
import { startVigil } from '../../src/main.js';
import type { StoreLocation } from '../../src/store/connect.js';
import { openStore } from '../../src/store/open.js';
import { BASE_CONFIG } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sourcesFor } from '../helpers/model.js';
import { REPORTED_PROBES, storageTable } from '../helpers/store-vigil.js';
import { waitFor } from '../helpers/vigil.js';

const S = 1000;
const LOAD = { cpu: 0.1, ram: 0.1 };
const folder = mkdtempSync(join(tmpdir(), 'vigil-forget-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** The whole server on a SQLite file, on a fake clock: push replicas die 5 + 1 s after a report, forgotten 60 s later. */
function start(location: StoreLocation, clock: FakeClock) {
  const text = `${BASE_CONFIG}push_delay_dead = 1\npush_forget_after = 60\n${storageTable(location, 'flush_interval = 1')}\n[probe]\n${REPORTED_PROBES}`;
  return startVigil({
    loaded: parseConfigText(text, 'forget.cfg', { env: {} }),
    logger: pino({ level: 'silent' }),
    clock,
    listen: { host: '127.0.0.1', port: 0 },
  });
}

async function storedReplicas(location: StoreLocation): Promise<string[]> {
  const store = await openStore(location);
  try {
    return (await store.replicas.list()).map((record) => record.replicaId);
  } finally {
    await store.close();
  }
}

/** Moves the fake clock a second at a time, letting the store's flush run after each. */
async function advanceSeconds(clock: FakeClock, seconds: number): Promise<void> {
  for (let second = 0; second < seconds; second += 1) {
    clock.advance(S);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('a forgotten replica loses its stored snapshot, keeps its history and stays gone after a restart', async () => {
  const location: StoreLocation = { engine: 'sqlite', path: join(folder, 'vigil.db') };
  const clock = new FakeClock();
  const first = await start(location, clock);
  const observeFirst = sourcesFor(first.model, clock);
  observeFirst.push('web', 'app', 'gone', 5, LOAD);
  observeFirst.push('web', 'app', 'staying', 5, LOAD);
  await advanceSeconds(clock, 2);
  await waitFor('both snapshots stored', async () => (await storedReplicas(location)).length === 2);

  // `staying` keeps reporting; `gone` dies at 6 s and is forgotten at 66 s.
  for (let step = 0; step < 14; step += 1) {
    await advanceSeconds(clock, 5);
    observeFirst.push('web', 'app', 'staying', 5, LOAD);
  }
  assert.deepEqual([...(first.model.node('web', 'app')?.replicas.keys() ?? [])], ['staying']);
  assert.equal(first.model.pageHealth, 'healthy');
  await waitFor('the snapshot removed', async () => {
    const ids = await storedReplicas(location);
    return ids.length === 1 && ids[0] === 'staying';
  });
  await first.stop();

  const store = await openStore(location);
  try {
    const series = (await store.rollups.listSeries()).find(
      (each) => each.kind === 'replica' && each.replicaId === 'gone',
    );
    assert.ok(series, 'the forgotten replica keeps its history series');
    const rows = await store.rollups.read('minute', series.id, 0, clock.now());
    assert.ok(
      rows.some((row) => row.deadSeconds > 0),
      'its dead minutes are still in the history',
    );
  } finally {
    await store.close();
  }

  const second = await start(location, clock);
  try {
    assert.deepEqual([...(second.model.node('web', 'app')?.replicas.keys() ?? [])], ['staying']);
  } finally {
    await second.stop();
  }
});
