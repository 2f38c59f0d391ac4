import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { parseConfigText } from '../../src/config/load.js';
import { startVigil } from '../../src/main.js';
import { openStore } from '../../src/store/open.js';
import type { Run } from '../../src/store/types.js';
import { BASE_CONFIG } from '../helpers/config.js';
import { REPORTED_PROBES } from '../helpers/store-vigil.js';

let folder: string;
let blocker: Server;
let takenPort: number;
before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'vigil-root-'));
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  takenPort = typeof address === 'object' && address ? address.port : 0;
});
after(async () => {
  await new Promise((resolve) => blocker.close(resolve));
  rmSync(folder, { recursive: true, force: true });
});

function start(path: string, port: number) {
  const text = `${BASE_CONFIG}[storage]\npath = "${path}"\n[probe]\n${REPORTED_PROBES}`;
  return startVigil({
    loaded: parseConfigText(text, 'root.cfg', { env: {} }),
    logger: pino({ level: 'silent' }),
    listen: { host: '127.0.0.1', port },
  });
}

async function runsIn(path: string): Promise<Run[]> {
  const store = await openStore({ engine: 'sqlite', path });
  try {
    return await store.runs.list(0, Date.now() + 1);
  } finally {
    await store.close();
  }
}

test('a start that fails on a taken port stops what it had started: its run is closed in the store', async () => {
  const path = join(folder, 'failed.db');
  await assert.rejects(start(path, takenPort), { code: 'EADDRINUSE' });
  const runs = await runsIn(path);
  assert.equal(runs.length, 1);
  assert.notEqual(runs[0]?.stoppedAtMs, undefined, 'the recording stopped and wrote its stop');
});

test('stop closes the HTTP server, then the recording and the store', async () => {
  const path = join(folder, 'stopped.db');
  const vigil = await start(path, 0);
  assert.equal((await fetch(`${vigil.url}/status/text`)).status, 200);
  await vigil.stop();
  await assert.rejects(fetch(`${vigil.url}/status/text`));
  const runs = await runsIn(path);
  assert.equal(runs.length, 1);
  assert.notEqual(runs[0]?.stoppedAtMs, undefined);
});
