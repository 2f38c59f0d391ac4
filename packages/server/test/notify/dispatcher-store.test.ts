import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { storeOutbox } from '../../src/notify/store-outbox.js';
import type { Alert } from '../../src/notify/types.js';
import type { StoreLocation } from '../../src/store/connect.js';
import { openStore } from '../../src/store/open.js';
import { systemClock } from '../../src/time/clock.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { describeEachEngine } from '../helpers/store-engines.js';
import { waitFor } from '../helpers/vigil.js';
import { createHarness, DB_1 } from './dispatcher-harness.js';

type Harness = ReturnType<typeof createHarness>;

/** The dispatcher over a real store on both engines: what a restart or a second instance sees. */
describeEachEngine('dispatcher over the store', (engine) => {
  let slack: CaptureServer;
  let webhook: CaptureServer;
  before(async () => {
    [slack, webhook] = await Promise.all([startCaptureServer(), startCaptureServer()]);
  });
  after(() => Promise.all([slack.close(), webhook.close()]));

  /** One dispatcher run on the store at `location`, stopped (and the store closed) after `body`. */
  async function run(
    location: StoreLocation,
    notify: string,
    body: (harness: Harness, delivered: () => Promise<boolean>) => Promise<void>,
    owner?: string,
  ): Promise<void> {
    const store = await openStore(location);
    const harness = createHarness({
      notify,
      clock: systemClock,
      outbox: storeOutbox(store),
      ...(owner !== undefined && { owner }),
    });
    try {
      await harness.dispatcher.start();
      // Stopping before an accepted alert's success is stored would send it again (the at-least-once window).
      await body(harness, async () => (await store.outbox.pending()).length === 0);
    } finally {
      await harness.stop();
      await store.close();
    }
  }

  test('a filtered channel dead across a restart gets neither a startup "healthy" nor a second "dead"', async () => {
    const location = await engine.freshLocation();
    // Slack has its own options, so its own watcher and stored state; the webhook is Vigil's page watcher.
    const notify = `[notify]
startup_notification = true
[notify.slack]
hook_url = "${slack.url}/hook"
services = ["web"]
notify_sick = true
[notify.webhook]
hook_url = "${webhook.url}/hook"
`;
    const slackTexts = () => slack.requests.map((request) => JSON.parse(request.body).text as string);
    await run(location, notify, async (h, delivered) => {
      h.dispatcher.settled();
      h.set(DB_1, 'dead');
      await Promise.all([slack.waitFor(2), webhook.waitFor(2)]);
      await waitFor('the outcomes stored', delivered);
    });
    assert.match(slackTexts()[0] ?? '', /started up/);
    assert.match(slackTexts()[1] ?? '', /changed to: \*dead\*/);

    await run(location, notify, async (h) => {
      h.set(DB_1, 'dead');
      h.dispatcher.settled();
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    assert.equal(slack.requests.length, 2, slackTexts().join(' | '));
    assert.equal(webhook.requests.length, 2);
  });

  test('two instances sharing the store deliver each alert once per channel', async () => {
    webhook.requests.length = 0;
    const location = await engine.freshLocation();
    const store = await openStore(location);
    const ids = Array.from({ length: 12 }, (_, index) => `left-over-${index}`);
    try {
      for (const [index, id] of ids.entries()) {
        const alert: Alert = {
          id,
          kind: 'reminder',
          status: 'dead',
          replicas: [],
          atMs: Date.now() + index,
          page: { title: 'Test Status', url: 'https://status.example.com/' },
        };
        await store.outbox.enqueue(alert, ['webhook'], Date.now());
      }
      const notify = `[notify]\nstartup_notification = false\n[notify.webhook]\nhook_url = "${webhook.url}/hook"\n`;
      await Promise.all(
        ['one', 'two'].map((owner) =>
          run(location, notify, (_h, delivered) => waitFor('every alert delivered', delivered), owner),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(
        webhook.requests.length,
        ids.length,
        'one request per alert, from one instance or the other',
      );
    } finally {
      await store.close();
    }
  });
});
