import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HealthModelEvents } from '../../src/model/health-model.js';
import { REPLICA_BOXES_MAX } from '../../src/web/page/services.js';
import { PAGE_RENDER_INTERVAL_MS } from '../../src/web/page/status-page.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { holdableClock } from '../helpers/holdable-clock.js';
import { sourcesFor, testModel } from '../helpers/model.js';
import { startTestServer } from '../helpers/server.js';
import { REPORTED_PROBES } from '../helpers/store-vigil.js';
import { waitFor } from '../helpers/vigil.js';

/** The size issue #15 names: 40,000 froze Vigil TS for 2 min and 100,000 for over 11. */
const FLEET = 100_000;
const LOAD = { cpu: 0.1, ram: 0.1 };

test('100,000 push replicas die together and are forgotten together, with exact counts and one change per level', () => {
  const clock = new FakeClock();
  const model = testModel(REPORTED_PROBES, clock, { pushForgetAfterSeconds: 600 });
  const observe = sourcesFor(model, clock);
  const changes: Array<[string, unknown]> = [];
  for (const name of ['node-changed', 'service-changed', 'page-changed'] as const) {
    model.events.on(name, (event: HealthModelEvents[typeof name]) => changes.push([name, event.current]));
  }
  for (let index = 0; index < FLEET; index += 1) observe.push('web', 'app', `host-${index}`, 30, LOAD);
  const node = model.node('web', 'app');
  clock.advance(50_000 - 1);
  assert.equal(node?.counts.of('healthy'), FLEET);
  clock.advance(1);
  assert.deepEqual(
    [node?.counts.of('dead'), node?.counts.of('healthy'), node?.health, model.services.get('web')?.health],
    [FLEET, 0, 'dead', 'dead'],
  );
  assert.deepEqual([model.pageHealth, model.pageCounts.of('dead')], ['dead', 1]);
  clock.advance(600_000);
  assert.deepEqual(
    [node?.replicas.size, node?.counts.total, node?.health, model.pageHealth],
    [0, 0, 'healthy', 'healthy'],
  );
  assert.deepEqual(changes, [
    ['node-changed', 'dead'],
    ['service-changed', 'dead'],
    ['page-changed', 'dead'],
    ['node-changed', 'healthy'],
    ['service-changed', 'healthy'],
    ['page-changed', 'healthy'],
  ]);
  assert.equal(clock.pendingTimers, 0);
});

/**
 * Issue #15's bound is 100 ms per answer. Wall time on a shared CI box also holds other processes'
 * CPU and GC pauses, so the test asserts what the model controls: the death is handled in short
 * turns with answers in between (not in one block), and the typical (median) answer, during the
 * death and after it, is within 100 ms. `npm run bench -- mass-death` reports the worst answer.
 */
test('while 100,000 push replicas die at the same instant, /status/text keeps answering within 100 ms', async (t) => {
  const { clock, hold, release } = holdableClock();
  // The page re-renders as in production while the replicas die: a large node shows counts and
  // its first unhealthy boxes, so a render costs little however many replicas there are.
  const server = await startTestServer(REPORTED_PROBES, {
    clock,
    metrics: 'push_delay_dead = 0',
    pageRenderIntervalMs: PAGE_RENDER_INTERVAL_MS,
  });
  try {
    await (await fetch(`${server.url}/status/text`)).text();
    // One report each, at the same held instant, with a 1 s interval: every deadline is the same
    // millisecond, and seeding takes longer than that, so all 100,000 timers are due at once.
    hold();
    for (let index = 0; index < FLEET; index += 1) {
      server.observe.push('web', 'app', `host-${index}`, 1, LOAD);
    }
    release();
    const node = server.model.node('web', 'app');
    const answers: Array<{ latencyMs: number; deadThen: number; text: string }> = [];
    const giveUpAt = Date.now() + 60_000;
    let answersAfterDeath = 0;
    while (answersAfterDeath < 20 && Date.now() < giveUpAt) {
      const startedAt = performance.now();
      const text = await (await fetch(`${server.url}/status/text`)).text();
      const deadThen = node?.counts.of('dead') ?? 0;
      answers.push({ latencyMs: performance.now() - startedAt, deadThen, text });
      if (deadThen === FLEET) answersAfterDeath += 1;
    }
    assert.deepEqual(
      [answers.at(-1)?.text, node?.counts.of('dead'), node?.health, server.model.services.get('web')?.health],
      ['dead', FLEET, 'dead', 'dead'],
    );
    const duringDeath = answers.filter(({ deadThen }) => deadThen > 0 && deadThen < FLEET);
    assert.ok(duringDeath.length >= 3, `${duringDeath.length} answers while the replicas were dying`);
    const latencies = answers.map(({ latencyMs }) => latencyMs).sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)] ?? Number.POSITIVE_INFINITY;
    t.diagnostic(
      `${answers.length} answers, median ${median.toFixed(0)} ms, worst ${latencies.at(-1)?.toFixed(0)} ms`,
    );
    assert.ok(median < 100, `median answer ${median.toFixed(0)} ms`);

    // The page names the counts and shows the first unhealthy boxes, not 100,000 of them.
    let page = '';
    // The last render may predate the last deaths by up to the render interval.
    await waitFor('the page to show the whole fleet dead', async () => {
      page = await (await fetch(`${server.url}/`)).text();
      return page.includes('100,000 dead replicas (99,900 more not healthy than shown)');
    });
    assert.ok(page.length < 2_000_000, `page of ${page.length} bytes`);
    assert.equal([...page.matchAll(/class="replica-box /g)].length, REPLICA_BOXES_MAX);
  } finally {
    await server.close();
  }
});
