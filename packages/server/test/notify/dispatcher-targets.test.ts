import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { INITIAL_ALERT_STATE } from '../../src/notify/alert-policy.js';
import { runNotifyTest } from '../../src/notify/notify-test.js';
import { storeOutbox } from '../../src/notify/store-outbox.js';
import type { Alert } from '../../src/notify/types.js';
import { openStore } from '../../src/store/open.js';
import { systemClock } from '../../src/time/clock.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { testConfig } from '../helpers/config.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { waitFor } from '../helpers/vigil.js';
import { createHarness, DB_1, PROBES, pathOf, WORKER } from './dispatcher-harness.js';

const S = 1000;
type Harness = ReturnType<typeof createHarness>;

let ops: CaptureServer;
let jobs: CaptureServer;
before(async () => {
  [ops, jobs] = await Promise.all([startCaptureServer(), startCaptureServer()]);
});
after(() => Promise.all([ops.close(), jobs.close()]));

let running: Harness[] = [];
afterEach(async () => {
  await Promise.all(running.map((harness) => harness.stop()));
  running = [];
  ops.requests.length = 0;
  jobs.requests.length = 0;
});

const slackTexts = (server: CaptureServer) =>
  server.requests.map((request) => (JSON.parse(request.body) as { text: string }).text);

describe('several targets of one channel', () => {
  test('two [[notify.slack]] targets with their own services each receive only their alerts', async () => {
    const h = createHarness({
      notify: `[notify]
startup_notification = false
[[notify.slack]]
name = "ops"
hook_url = "${ops.url}/hook"
services = ["web"]
[[notify.slack]]
hook_url = "${jobs.url}/hook"
services = ["jobs"]
`,
      clock: systemClock,
    });
    running.push(h);
    await h.dispatcher.start();
    h.dispatcher.settled();

    h.set(DB_1, 'dead');
    await ops.waitFor(1);
    h.set(WORKER, 'dead');
    await jobs.waitFor(1);
    h.set(DB_1, 'healthy');
    await ops.waitFor(2);
    // Give a stray delivery the time to arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 200));

    assert.equal(ops.requests.length, 2, slackTexts(ops).join(' | '));
    assert.match(slackTexts(ops)[0] ?? '', new RegExp(`dead\\*\\. Nodes: \\*${pathOf(DB_1)}\\*`));
    assert.match(slackTexts(ops)[1] ?? '', /healthy/);
    assert.equal(jobs.requests.length, 1, slackTexts(jobs).join(' | '));
    assert.match(slackTexts(jobs)[0] ?? '', new RegExp(`Nodes: \\*${pathOf(WORKER)}\\*`));
    assert.deepEqual(
      (await h.deliveries()).map(({ channel, alert }) => [channel, alert.status]),
      [
        ['slack#ops', 'dead'],
        ['slack#1', 'dead'],
        ['slack#ops', 'healthy'],
      ],
    );
  });

  test('each target waits its own delay_seconds', async () => {
    const clock = new FakeClock();
    const h = createHarness({
      notify: `[notify]
startup_notification = false
[[notify.slack]]
hook_url = "${ops.url}/hook"
[[notify.slack]]
hook_url = "${jobs.url}/hook"
delay_seconds = 300
`,
      clock,
    });
    running.push(h);
    await h.dispatcher.start();
    h.dispatcher.settled();

    h.set(DB_1, 'dead');
    clock.advance(100 * S);
    h.set(DB_1, 'healthy');
    assert.deepEqual(await h.told('slack#0'), [
      ['changed', 'dead'],
      ['changed', 'healthy'],
    ]);
    assert.deepEqual(await h.told('slack#1'), [], 'dead for 100 s only');

    h.set(DB_1, 'dead');
    clock.advance(300 * S);
    assert.deepEqual(await h.told('slack#1'), [['changed', 'dead']], 'dead for 300 s');
  });

  test('notify-test tries each target, or the targets of one channel, or one target', async () => {
    const config = testConfig(`${PROBES}
[notify]
[[notify.slack]]
name = "ops"
hook_url = "${ops.url}/hook"
[[notify.slack]]
hook_url = "${jobs.url}/hook"
`);
    const outcomes = async (only?: string) =>
      (await runNotifyTest(config, { only, timeoutMs: 2000 })).map(({ channel, error }) => [channel, error]);
    assert.deepEqual(await outcomes(), [
      ['slack#ops', undefined],
      ['slack#1', undefined],
    ]);
    assert.deepEqual(await outcomes('slack'), [
      ['slack#ops', undefined],
      ['slack#1', undefined],
    ]);
    assert.deepEqual(await outcomes('slack#1'), [['slack#1', undefined]]);
    assert.equal(ops.requests.length, 2);
    assert.equal(jobs.requests.length, 3);
    await assert.rejects(
      outcomes('slack#2'),
      /^Error: no target slack#2 is configured \(configured: slack#ops, slack#1\)$/,
    );
  });
});

describeEachEngine(
  'a single [notify.slack] table across the upgrade',
  (engine) => {
    test('keeps its watcher key and its outbox deliveries: state restored, pending alert delivered', async () => {
      const location = await engine.freshLocation();
      const notify = `[notify]
startup_notification = true
[notify.slack]
hook_url = "${ops.url}/hook"
services = ["web"]
`;
      // What a version without targets stored: the filtered table's watcher key, and a delivery to `slack`.
      const watcherKey = '{"delayMs":0,"notifySick":false,"scope":{"services":["web"],"nodes":[]}}';
      const deadState = {
        ...INITIAL_ALERT_STATE,
        lastStatus: 'dead' as const,
        notifiedAtMs: Date.now(),
        lastReplicas: [pathOf(DB_1)],
      };
      const pending: Alert = {
        id: 'alert-from-before',
        kind: 'changed',
        status: 'dead',
        replicas: [pathOf(DB_1)],
        atMs: 0,
        page: { title: 'Test Status', url: 'https://status.example.com/' },
      };
      const seeded = await openStore(location);
      await storeOutbox(seeded).enqueue({
        alert: pending,
        channels: ['slack'],
        nowMs: Date.now(),
        watcher: { key: watcherKey, state: deadState },
      });
      await seeded.close();

      const store = await openStore(location);
      const h = createHarness({ notify, clock: systemClock, outbox: storeOutbox(store) });
      try {
        await h.dispatcher.start();
        h.set(DB_1, 'dead');
        h.dispatcher.settled();
        await ops.waitFor(1);
        await waitFor('the outcome stored', async () => (await store.outbox.pending()).length === 0);
        await new Promise((resolve) => setTimeout(resolve, 200));
      } finally {
        await h.stop();
        await store.close();
      }
      // The restored dead state means no startup alert and no second "dead"; the old alert goes out.
      assert.equal(ops.requests.length, 1, slackTexts(ops).join(' | '));
      assert.match(slackTexts(ops)[0] ?? '', /changed to: \*dead\*/);
    });
  },
  ['sqlite'],
);
