import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { INITIAL_ALERT_STATE } from '../../src/notify/alert-policy.js';
import { PAGE_WATCHER_KEY } from '../../src/notify/channel-options.js';
import { MemoryOutbox } from '../../src/notify/memory-outbox.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { API_1, API_2, createHarness, DB_1, pathOf, WORKER } from './dispatcher-harness.js';

const S = 1000;

let capture: CaptureServer;
before(async () => {
  capture = await startCaptureServer();
});
after(() => capture.close());

/** A webhook and a Slack channel on the capture server, plus `extra` TOML. */
function notifyTables(notify = '', slack = '', webhook = '') {
  return `
[notify]
${notify}
[notify.slack]
hook_url = "${capture.url}/slack"
${slack}
[notify.webhook]
hook_url = "${capture.url}/webhook"
${webhook}
`;
}

/** A harness whose page has settled at boot's all-healthy state, startup alerts off unless asked. */
async function started(
  options: { notify?: string; slack?: string; webhook?: string; outbox?: MemoryOutbox } = {},
) {
  const clock = new FakeClock();
  const harness = createHarness({
    notify: notifyTables(options.notify ?? 'startup_notification = false', options.slack, options.webhook),
    clock,
    outbox: options.outbox,
  });
  await harness.dispatcher.start();
  harness.dispatcher.settled();
  return { clock, ...harness };
}

describe('the decision table through the dispatcher', () => {
  test('healthy → dead and dead → sick notify; sick → healthy and dead → dead do not', async () => {
    const h = await started();
    h.set(API_1, 'dead');
    h.set(API_2, 'dead');
    h.set(API_1, 'healthy');
    h.set(API_2, 'sick');
    h.set(API_2, 'healthy');
    assert.deepEqual(await h.told('webhook'), [
      ['changed', 'dead'],
      ['changed', 'sick'],
    ]);
    const [dead] = await h.deliveries();
    assert.deepEqual(dead?.alert.replicas, [pathOf(API_1)]);
    await h.stop();
  });

  test('channels without options share one alert per decision, in Vigil order', async () => {
    const h = await started();
    h.set(DB_1, 'dead');
    const deliveries = await h.deliveries();
    assert.deepEqual(
      deliveries.map((each) => each.channel),
      ['slack', 'webhook'],
    );
    assert.equal(deliveries[0]?.alert.id, deliveries[1]?.alert.id);
    await h.stop();
  });

  test('a recovery names the replicas that came back (#80)', async () => {
    const h = await started();
    h.set(API_1, 'dead');
    h.set(DB_1, 'dead');
    h.set(API_1, 'healthy');
    h.set(DB_1, 'healthy');
    const recovery = (await h.deliveries()).filter((each) => each.channel === 'webhook').at(-1);
    assert.equal(recovery?.alert.status, 'healthy');
    assert.deepEqual(recovery?.alert.recovered, [pathOf(API_1)], 'the last alert named only api-1');
    await h.stop();
  });

  test('no model change is judged before the page settles; then the current state once', async () => {
    const clock = new FakeClock();
    const h = createHarness({ notify: notifyTables('startup_notification = false'), clock });
    await h.dispatcher.start();
    h.set(API_1, 'dead');
    h.set(API_1, 'healthy');
    h.set(DB_1, 'dead');
    assert.deepEqual(await h.told('webhook'), []);
    h.dispatcher.settled();
    assert.deepEqual(await h.told('webhook'), [['changed', 'dead']]);
    await h.stop();
  });

  test('the page settles by itself once every configured replica was checked, or at settle_timeout', async () => {
    const clock = new FakeClock();
    const h = createHarness({ notify: notifyTables('startup_notification = false'), clock });
    await h.dispatcher.start();
    h.set(API_1, 'dead');
    h.set(API_2, 'healthy');
    h.set(DB_1, 'healthy');
    assert.deepEqual(await h.told('webhook'), [], 'the script replica was not checked yet');
    h.set(WORKER, 'healthy');
    assert.deepEqual(await h.told('webhook'), [['changed', 'dead']]);
    await h.stop();

    const late = createHarness({
      notify: notifyTables('startup_notification = false\nsettle_timeout = 30'),
      clock,
    });
    await late.dispatcher.start();
    late.set(DB_1, 'dead');
    clock.advance(29 * S);
    assert.deepEqual(await late.told('webhook'), []);
    clock.advance(1 * S);
    assert.deepEqual(await late.told('webhook'), [['changed', 'dead']]);
    await late.stop();
  });
});

describe('reminders through the dispatcher, on the injected clock', () => {
  test('300 s linear limit 3: +300, +600 after that, then every 900; recovery resets', async () => {
    const h = await started({
      notify: 'startup_notification = false\nreminder_interval = 300\nreminder_backoff_function = "linear"',
    });
    const start = h.clock.now();
    h.set(API_1, 'dead');
    h.clock.advance(3600 * S);
    const times = (await h.deliveries())
      .filter((each) => each.channel === 'webhook')
      .map(({ alert }) => [alert.kind, (alert.atMs - start) / S]);
    assert.deepEqual(times, [
      ['changed', 0],
      ['reminder', 300],
      ['reminder', 900],
      ['reminder', 1800],
      ['reminder', 2700],
      ['reminder', 3600],
    ]);
    h.set(API_1, 'healthy');
    h.set(API_1, 'dead');
    h.clock.advance(300 * S);
    const tail = (await h.deliveries()).filter((each) => each.channel === 'webhook').slice(-3);
    assert.deepEqual(
      tail.map(({ alert }) => [alert.kind, alert.status, (alert.atMs - start) / S]),
      [
        ['changed', 'healthy', 3600],
        ['changed', 'dead', 3600],
        ['reminder', 'dead', 3900],
      ],
      'the counters were reset: the next reminder is 300 s away again',
    );
    await h.stop();
  });

  test('escalated reminders count up in order: 1 (target 0), then 2 (targets 0–1)', async () => {
    const h = await started({
      notify: 'startup_notification = false\nreminder_interval = 60\nreminder_escalate = true',
    });
    h.set(DB_1, 'dead');
    h.clock.advance(120 * S);
    const alerts = (await h.deliveries())
      .filter((each) => each.channel === 'webhook')
      .map(({ alert }) => alert);
    assert.deepEqual(
      alerts.map(({ kind, escalated }) => [kind, escalated]),
      [
        ['changed', undefined],
        ['reminder', 1],
        ['reminder', 2],
      ],
    );
    await h.stop();
  });

  test('reminders_only channels hear reminders only; the webhook hears everything', async () => {
    const h = await started({
      notify: 'reminder_interval = 60',
      slack: 'reminders_only = true',
    });
    h.set(DB_1, 'dead');
    h.clock.advance(60 * S);
    h.set(DB_1, 'healthy');
    assert.deepEqual(await h.told('slack'), [['reminder', 'dead']]);
    assert.deepEqual(await h.told('webhook'), [
      ['startup', 'healthy'],
      ['changed', 'dead'],
      ['reminder', 'dead'],
      ['changed', 'healthy'],
    ]);
    await h.stop();
  });

  test('the ignore window postpones reminders to its end but never changes', async () => {
    const h = await started({ notify: 'startup_notification = false\nreminder_interval = 300' });
    const start = h.clock.now();
    h.set(DB_1, 'dead');
    h.ignoreWindow.set(1000);
    h.clock.advance(900 * S);
    h.set(API_1, 'dead');
    h.set(API_1, 'healthy');
    assert.deepEqual(await h.told('webhook'), [['changed', 'dead']], 'no reminder and no change meanwhile');
    h.clock.advance(100 * S);
    h.ignoreWindow.set(null);
    h.set(DB_1, 'healthy');
    h.ignoreWindow.set(5000);
    h.set(DB_1, 'dead');
    const alerts = (await h.deliveries())
      .filter((each) => each.channel === 'webhook')
      .map(({ alert }) => alert);
    assert.deepEqual(
      alerts.map((alert) => [alert.kind, alert.status, (alert.atMs - start) / S]),
      [
        ['changed', 'dead', 0],
        ['reminder', 'dead', 1000],
        ['changed', 'healthy', 1000],
        ['changed', 'dead', 1000],
      ],
    );
    await h.stop();
  });

  test('clearing the ignore window lets an overdue reminder go at once', async () => {
    const h = await started({ notify: 'startup_notification = false\nreminder_interval = 300' });
    h.set(DB_1, 'dead');
    h.ignoreWindow.set(3600);
    h.clock.advance(400 * S);
    h.ignoreWindow.set(null);
    assert.deepEqual(await h.told('webhook'), [
      ['changed', 'dead'],
      ['reminder', 'dead'],
    ]);
    await h.stop();
  });
});

describe('startup', () => {
  test('sent at start to every channel that is not reminders_only, before any probe result', async () => {
    const clock = new FakeClock();
    const h = createHarness({ notify: notifyTables('', 'reminders_only = true'), clock });
    await h.dispatcher.start();
    const [startup] = await h.deliveries();
    assert.deepEqual(
      (await h.deliveries()).map((each) => each.channel),
      ['webhook'],
    );
    assert.equal(startup?.alert.kind, 'startup');
    assert.equal(startup?.alert.status, 'healthy');
    assert.deepEqual(startup?.alert.replicas, []);
    await h.stop();
  });

  test('startup_notification = false sends none', async () => {
    const h = await started({ notify: 'startup_notification = false' });
    assert.deepEqual(await h.deliveries(), []);
    await h.stop();
  });

  test('a restored dead state sends no startup and no second dead; its reminders continue', async () => {
    const clock = new FakeClock();
    const outbox = new MemoryOutbox();
    const restoredNotified = clock.now() - 200 * S;
    await outbox.saveWatcherState({
      key: PAGE_WATCHER_KEY,
      state: {
        ...INITIAL_ALERT_STATE,
        lastStatus: 'dead',
        notifiedAtMs: restoredNotified,
        lastReplicas: [pathOf(DB_1)],
      },
    });
    const h = createHarness({ notify: notifyTables('reminder_interval = 300'), clock, outbox });
    await h.dispatcher.start();
    h.set(DB_1, 'dead');
    h.dispatcher.settled();
    assert.deepEqual(await h.told('webhook'), []);
    clock.advance(100 * S);
    const told = await h.deliveries();
    assert.deepEqual(
      told
        .filter((each) => each.channel === 'webhook')
        .map(({ alert }) => [alert.kind, alert.atMs - restoredNotified]),
      [['reminder', 300 * S]],
    );
    await h.stop();
  });

  test('a restored dead state that recovered while down is told as a recovery', async () => {
    const clock = new FakeClock();
    const outbox = new MemoryOutbox();
    await outbox.saveWatcherState({
      key: PAGE_WATCHER_KEY,
      state: {
        ...INITIAL_ALERT_STATE,
        lastStatus: 'dead',
        notifiedAtMs: clock.now(),
        lastReplicas: [pathOf(DB_1)],
      },
    });
    const h = createHarness({ notify: notifyTables(), clock, outbox });
    await h.dispatcher.start();
    h.dispatcher.settled();
    const [recovery] = await h.deliveries();
    assert.equal(recovery?.alert.kind, 'changed');
    assert.equal(recovery?.alert.status, 'healthy');
    assert.deepEqual(recovery?.alert.recovered, [pathOf(DB_1)]);
    await h.stop();
  });
});

describe('per-channel extensions', () => {
  test('delay_seconds: a short outage is not told to the delayed channel; a long one is, and its recovery', async () => {
    const h = await started({ slack: 'delay_seconds = 300' });
    const start = h.clock.now();
    h.set(DB_1, 'dead');
    h.clock.advance(299 * S);
    h.set(DB_1, 'healthy');
    assert.deepEqual(await h.told('slack'), [], 'dead for 299 s only');
    assert.deepEqual(await h.told('webhook'), [
      ['changed', 'dead'],
      ['changed', 'healthy'],
    ]);

    h.set(DB_1, 'dead');
    h.clock.advance(300 * S);
    h.set(DB_1, 'healthy');
    const slack = (await h.deliveries()).filter((each) => each.channel === 'slack').map(({ alert }) => alert);
    assert.deepEqual(
      slack.map((alert) => [alert.kind, alert.status, (alert.atMs - start) / S]),
      [
        ['changed', 'dead', 599],
        ['changed', 'healthy', 599],
      ],
    );
    await h.stop();
  });

  test('delay_seconds: a dead scope that turns sick before the delay is not told', async () => {
    const h = await started({ slack: 'delay_seconds = 60' });
    h.set(DB_1, 'dead');
    h.clock.advance(30 * S);
    h.set(DB_1, 'sick');
    h.clock.advance(60 * S);
    assert.deepEqual(await h.told('slack'), []);
    await h.stop();
  });

  test('notify_sick: that channel hears changes into and out of sick, with the sick replicas', async () => {
    const h = await started({ slack: 'notify_sick = true' });
    h.set(API_2, 'sick');
    h.set(API_2, 'healthy');
    const slack = (await h.deliveries()).filter((each) => each.channel === 'slack').map(({ alert }) => alert);
    assert.deepEqual(
      slack.map(({ status, sick }) => [status, sick]),
      [
        ['sick', [pathOf(API_2)]],
        ['healthy', []],
      ],
    );
    assert.deepEqual(await h.told('webhook'), [], 'Vigil never tells healthy ↔ sick');
    await h.stop();
  });

  test('services and nodes filters: a channel judges only its scope and lists only its replicas', async () => {
    const h = await started({ slack: 'services = ["jobs"]\nnodes = ["web:db"]' });
    h.set(API_1, 'dead');
    assert.deepEqual(await h.told('slack'), [], 'web:api is outside the scope');
    h.set(DB_1, 'dead');
    h.set(WORKER, 'dead');
    h.set(DB_1, 'healthy');
    h.set(WORKER, 'healthy');
    const slack = (await h.deliveries()).filter((each) => each.channel === 'slack').map(({ alert }) => alert);
    assert.deepEqual(
      slack.map(({ status, replicas }) => [status, replicas]),
      [
        ['dead', [pathOf(DB_1)]],
        ['healthy', []],
      ],
    );
    assert.deepEqual(
      await h.told('webhook'),
      [['changed', 'dead']],
      'the page stays dead: api-1 is still down',
    );
    await h.stop();
  });
});

describe('incidents and reasons (extension)', () => {
  test('alerts carry the reasons of the replicas they name and one incident key per outage and watcher', async () => {
    const h = await started({
      notify: `startup_notification = false\nreminder_interval = 300\n[notify.pagerduty]\nrouting_key = "k"\napi_url = "${capture.url}"`,
      slack: 'notify_sick = true',
    });
    h.observe.probe(API_2, { health: 'sick', latencyMs: 1, reason: 'slow answer' });
    h.observe.probe(API_1, { health: 'dead', latencyMs: 1, reason: 'connection refused' });
    h.clock.advance(300 * S);
    h.set(API_1, 'healthy');
    h.set(API_2, 'healthy');
    h.set(DB_1, 'dead');
    const alerts = (channel: string) =>
      h.deliveries().then((all) => all.filter((each) => each.channel === channel).map(({ alert }) => alert));
    const pagerduty = await alerts('pagerduty');
    assert.deepEqual(
      pagerduty.map(({ kind, status, reasons }) => [kind, status, reasons]),
      [
        ['changed', 'dead', { [pathOf(API_1)]: 'connection refused' }],
        ['reminder', 'dead', { [pathOf(API_1)]: 'connection refused' }],
        ['changed', 'sick', undefined],
        ['changed', 'dead', { [pathOf(DB_1)]: 'test' }],
      ],
      'only the named replicas have reasons: a sick one only where sick is told',
    );
    const [first, reminder, resolved, next] = pagerduty.map(({ incident }) => incident);
    assert.match(first?.key ?? '', /^vigil-[0-9a-f]{32}$/);
    assert.deepEqual(reminder, first);
    assert.deepEqual(resolved, { ...first, resolved: true });
    assert.notEqual(next?.key, first?.key, 'a new outage is a new incident');
    assert.equal(next?.resolved, false);
    const [slackSick, slackDead] = await alerts('slack');
    assert.deepEqual(slackSick?.reasons, { [pathOf(API_2)]: 'slow answer' });
    assert.equal(slackDead?.incident?.key, slackSick?.incident?.key, 'sick then dead: one outage');
    assert.deepEqual(slackDead?.reasons, {
      [pathOf(API_1)]: 'connection refused',
      [pathOf(API_2)]: 'slow answer',
    });
    assert.notEqual(slackDead?.incident?.key, first?.key, 'another watcher, another incident');
    await h.stop();
  });
});
