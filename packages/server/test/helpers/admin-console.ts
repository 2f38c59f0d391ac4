import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningVigil } from '../../src/main.js';
import type { Alert } from '../../src/notify/types.js';
import type { StoreLocation } from '../../src/store/connect.js';
import { openStore } from '../../src/store/open.js';
import { managerCaller } from './manager-call.js';
import { REPORTED_PROBES, storageTable } from './store-vigil.js';
import { startFullVigil } from './vigil.js';

/** Notifications on, with no channel: the console lists the deliveries seeded in the store. */
const NOTIFY = '[notify]\nstartup_notification = false\n';

/** Targets of seeded deliveries: ids as the outbox keeps them, though no channel is configured. */
export const SEEDED_TARGETS = { delivered: 'seeded-target', failed: 'seeded-target#ops' } as const;

/** One delivered alert and one that failed after two attempts, both a minute old. */
async function seedDeliveries(location: StoreLocation) {
  const store = await openStore(location);
  try {
    const atMs = Date.now() - 60_000;
    const alert = (id: string): Alert => ({
      id,
      kind: 'changed',
      status: 'dead',
      replicas: ['web:app:a'],
      atMs,
      page: { title: 'Test Status', url: 'https://status.example.com/' },
    });
    await store.outbox.enqueue(alert('console-a'), [SEEDED_TARGETS.delivered], atMs);
    await store.outbox.complete({ alertId: 'console-a', channel: SEEDED_TARGETS.delivered }, atMs);
    await store.outbox.enqueue(alert('console-b'), [SEEDED_TARGETS.failed], atMs + 1);
    const failed = { alertId: 'console-b', channel: SEEDED_TARGETS.failed };
    await store.outbox.markAttempt(failed, {
      atMs: atMs + 1,
      error: 'HTTP 502 <bad gateway>',
      retryAtMs: atMs + 2,
    });
    await store.outbox.markAttempt(failed, { atMs: atMs + 2, error: 'HTTP 503' });
  } finally {
    await store.close();
  }
}

/**
 * The whole server over a SQLite file holding two deliveries, with notifications on; `serverKeys`
 * go into `[server]`. `stop` also removes the file.
 */
export async function startConsoleVigil(
  serverKeys = '',
): Promise<{ vigil: RunningVigil; stop(): Promise<void> }> {
  const folder = mkdtempSync(join(tmpdir(), 'vigil-admin-'));
  const location: StoreLocation = { engine: 'sqlite', path: join(folder, 'vigil.db') };
  await seedDeliveries(location);
  const vigil = await startFullVigil(
    `${NOTIFY}${storageTable(location)}\n[probe]\n${REPORTED_PROBES}`,
    serverKeys,
  );
  return {
    vigil,
    async stop() {
      await vigil.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** What the manager API says: the console's changes must show there too. */
export async function managerGet(vigil: RunningVigil, path: string): Promise<unknown> {
  return (await managerCaller(() => vigil.url)(path)).json();
}
