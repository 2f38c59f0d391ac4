import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { shrinkHeapWhenIdle } from '../../src/process/idle-heap.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** The size a new thread's young generation grows to while it allocates short-lived objects. */
function youngGenerationOfANewThreadMb(): Promise<number> {
  const source = `
    const { getHeapSpaceStatistics } = require('node:v8');
    const { parentPort } = require('node:worker_threads');
    let kept = [];
    for (let i = 0; i < 2e6; i++) { kept.push({ i }); if (kept.length > 1000) kept = []; }
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    parentPort.postMessage(newSpace ? newSpace.space_size : -1);`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true });
    worker.once('message', (bytes: number) => {
      void worker.terminate();
      resolve(bytes / 1024 / 1024);
    });
    worker.once('error', reject);
  });
}

// Its own file: it sets V8 flags of the whole test process, as bin/vigil.js does.
test('threads started after the shrinker starts get a young generation of V8 own size, not the small one', async () => {
  setFlagsFromString('--optimize-for-size');
  const small = await youngGenerationOfANewThreadMb();
  assert.ok(small <= 4, `with the flag set a new thread keeps a small young generation (${small} MB)`);
  const stop = shrinkHeapWhenIdle({ clock: new FakeClock(), cpuShare: () => 1, collect: () => undefined });
  const large = await youngGenerationOfANewThreadMb();
  stop();
  assert.ok(
    large >= 8,
    `after the shrinker cleared the flag, a new thread grows its young generation (${large} MB)`,
  );
});
