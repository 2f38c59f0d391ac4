import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PAGE_WATCHER_KEY } from '../../src/notify/channel-options.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { createHarness, PROBES } from './dispatcher-harness.js';

const S = 1000;
const LOAD = { cpu: 0.1, ram: 0.1 };

let capture: CaptureServer;
before(async () => {
  capture = await startCaptureServer();
});
after(() => capture.close());

/** PROBES plus a push node whose replicas die 30 + 20 s after a report and are forgotten 600 s later. */
async function started() {
  const clock = new FakeClock();
  const harness = createHarness({
    probes: `${PROBES}
[[probe.service]]
id = "fleet"
label = "Fleet"
[[probe.service.node]]
id = "app"
label = "App"
mode = "push"
`,
    notify: `
[notify]
startup_notification = false
reminder_interval = 400
[notify.webhook]
hook_url = "${capture.url}/webhook"
`,
    clock,
    model: { pushForgetAfterSeconds: 600 },
  });
  await harness.dispatcher.start();
  harness.dispatcher.settled();
  return { clock, ...harness };
}

test('forgetting the dead replicas of a scaled-down fleet sends no recovery, and later outages are told', async () => {
  const h = await started();
  h.observe.push('fleet', 'app', 'host-1', 30, LOAD);
  h.observe.push('fleet', 'app', 'host-2', 30, LOAD);
  h.clock.advance(50 * S);
  assert.equal(h.model.pageHealth, 'dead');
  // One reminder 400 s after the alert, then both are forgotten at +600 s.
  h.clock.advance(600 * S);
  assert.equal(h.model.node('fleet', 'app')?.replicas.size, 0);
  assert.equal(h.model.pageHealth, 'healthy');
  assert.deepEqual(await h.told('webhook'), [
    ['changed', 'dead'],
    ['reminder', 'dead'],
  ]);
  // The watcher took the healthy page as its state: no more reminders, and it was stored.
  h.clock.advance(3600 * S);
  assert.equal((await h.told('webhook')).length, 2);
  assert.equal((await h.outbox.loadWatcherStates()).get(PAGE_WATCHER_KEY)?.lastStatus, 'healthy');

  // A new outage is a change again, and its recovery names only what came back.
  h.observe.push('fleet', 'app', 'host-3', 30, LOAD);
  h.clock.advance(50 * S);
  h.observe.push('fleet', 'app', 'host-3', 30, LOAD);
  const deliveries = await h.deliveries();
  assert.deepEqual(
    deliveries.slice(2).map(({ alert }) => [alert.kind, alert.status, alert.replicas, alert.recovered]),
    [
      ['changed', 'dead', ['fleet:app:host-3'], undefined],
      ['changed', 'healthy', [], ['fleet:app:host-3']],
    ],
  );
  await h.stop();
});

test('a flush, unlike forgetting, is a recovery as in Vigil', async () => {
  const h = await started();
  h.observe.push('fleet', 'app', 'host-1', 30, LOAD);
  h.clock.advance(50 * S);
  h.observe.flush('fleet', 'app', 'host-1');
  assert.deepEqual(await h.told('webhook'), [
    ['changed', 'dead'],
    ['changed', 'healthy'],
  ]);
  await h.stop();
});
