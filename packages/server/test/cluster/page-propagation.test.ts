import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterHarness } from './harness.js';

/**
 * Issue 10's bound: a report taken by one member turns another member's page within 1 s. Each
 * report carries a new CPU figure, and the time runs from sending it to member A until member C's
 * status page shows that figure (report sharing through PostgreSQL, C's model, C's page render).
 * The median of the samples is held to the bound: one sample can land on a loaded CI machine's
 * stall, which says nothing about the path.
 */
const SAMPLES = 7;
const BOUND_MS = 1000;
const GIVE_UP_MS = 10_000;

const harness = await clusterHarness();

async function pageShows(url: string, text: string): Promise<boolean> {
  const response = await fetch(`${url}/`);
  return (await response.text()).includes(text);
}

test('a push report sent to member A turns the page of member C within 1 s', async () => {
  const a = await harness.startMember('m1');
  await harness.leader(a);
  await harness.startMember('m2');
  const c = await harness.startMember('m3');

  const elapsed: number[] = [];
  for (let sample = 1; sample <= SAMPLES; sample++) {
    const cpuPercent = 10 + sample;
    const sentAt = performance.now();
    assert.equal(await harness.report(a, 'worker-1', 30, cpuPercent / 100), 200);
    while (!(await pageShows(c.url, `Load: ${cpuPercent}%`))) {
      assert.ok(
        performance.now() - sentAt < GIVE_UP_MS,
        `sample ${sample} never reached m3\n${harness.logs()}`,
      );
      await sleep(20);
    }
    elapsed.push(performance.now() - sentAt);
  }
  const sorted = [...elapsed].sort((x, y) => x - y);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.POSITIVE_INFINITY;
  assert.ok(
    median <= BOUND_MS,
    `median ${Math.round(median)} ms over ${sorted.map(Math.round).join(', ')} ms`,
  );
});
