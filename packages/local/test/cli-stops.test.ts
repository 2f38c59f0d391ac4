import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VERSION } from '../src/version.js';
import { messagesOf, spawnCli } from './helpers/cli.js';
import { waitFor } from './helpers/relay.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-local-stops-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** The only line the relay may print between its start and a stop: its config has nothing to probe. */
const CYCLE_DONE = /^cycle done in \d+ ms, next in 120 s$/;

test('every SIGTERM stop logs its lines completely and in order (10 stops)', async () => {
  // Nothing to probe and nothing listening at the endpoint: no traffic, only the start and stop lines.
  const file = join(dir, 'stop.cfg');
  await writeFile(
    file,
    '[server]\nlog_level = "info"\n[report]\nendpoint = "http://127.0.0.1:9"\ntoken = "t"\n' +
      '[metrics]\n[probe]\nservice = []\n',
  );
  const startLine =
    `vigil-local ${VERSION} (Vigil TS) started with ${file}: 0 services, 0 nodes, 0 replicas, reported to ` +
    'http://127.0.0.1:9 every 120 s, 8 at a time';
  const stopOnce = async () => {
    const { child, closed, stdout } = spawnCli(['-c', file]);
    await waitFor(() => stdout().includes('started with'), 'the start', 30_000);
    child.kill('SIGTERM');
    assert.deepEqual(await closed, { code: 0, signal: null });
    return messagesOf(stdout());
  };
  // Five at a time: the stops race each other for the CPU, as they would on a busy host.
  for (let batch = 0; batch < 2; batch += 1) {
    for (const messages of await Promise.all(Array.from({ length: 5 }, stopOnce))) {
      assert.equal(messages[0], startLine, messages.join('\n'));
      assert.deepEqual(
        messages.slice(-2),
        ['SIGTERM received, shutting down', 'stopped'],
        messages.join('\n'),
      );
      for (const between of messages.slice(1, -2)) assert.match(between, CYCLE_DONE);
    }
  }
});
