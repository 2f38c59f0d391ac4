import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { NO_NOTIFICATION_METRICS } from '../../src/metrics/notification-outcomes.js';
import { INITIAL_ALERT_STATE } from '../../src/notify/alert-policy.js';
import { webhookChannel } from '../../src/notify/channels/webhook.js';
import {
  ATTEMPT_TIMEOUT_MS,
  ChannelWorker,
  MAX_RETRY_STEP_MS,
  retryDelaysMs,
} from '../../src/notify/delivery.js';
import { MemoryOutbox } from '../../src/notify/memory-outbox.js';
import type { Delivery, Outbox } from '../../src/notify/outbox.js';
import { storeOutbox } from '../../src/notify/store-outbox.js';
import type { Alert } from '../../src/notify/types.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { describeEachEngine } from '../helpers/store-engines.js';

/** The default `retry_tail`: Vigil's 2 s, 2 s, then 30 s, 120 s, 600 s, 1800 s. */
const DEFAULT_SCHEDULE_MS = retryDelaysMs([30, 120, 600, 1800]);
const OUTAGE_MS = 5 * 60_000;
/** When alerts are decided during the outage, from its start: a dead, reminders, a last one just before recovery. */
const QUEUED_AT_MS = [0, 45_000, 100_000, 180_000, 299_000];

/** One request the endpoint saw, at fake time, and whether it accepted it. */
interface Arrival {
  atMs: number;
  accepted: boolean;
  /** Which alert: its only replica. */
  alert: string;
}

/**
 * An endpoint on loopback that answers 503 while `down` and to the next `failNext` requests,
 * recording each request at fake time.
 */
function endpoint(server: CaptureServer, clock: FakeClock) {
  const state = { down: false, failNext: 0, arrivals: [] as Arrival[] };
  server.reply((request) => {
    const failing = state.down || state.failNext > 0;
    state.failNext -= 1;
    const payload = JSON.parse(request.body) as { replicas: string[] };
    state.arrivals.push({ atMs: clock.now(), accepted: !failing, alert: payload.replicas[0] ?? '' });
    return failing ? { status: 503, body: 'maintenance' } : { status: 200 };
  });
  return state;
}

/** An instance's view of the outbox that tells when its worker is parked: its last claim found nothing due. */
function watched(outbox: Outbox) {
  const view = { parked: false };
  const wrapped: Outbox = {
    enqueue: (entry) => outbox.enqueue(entry),
    claimNext: async (channel, lease) => {
      view.parked = false;
      const claim = await outbox.claimNext(channel, lease);
      view.parked = !(claim && 'delivery' in claim);
      return claim;
    },
    recordAttempt: (...args) => outbox.recordAttempt(...args),
    recentDeliveries: (query) => outbox.recentDeliveries(query),
    loadWatcherStates: () => outbox.loadWatcherStates(),
    saveWatcherState: (record) => outbox.saveWatcherState(record),
  };
  return { outbox: wrapped, isParked: () => view.parked };
}

/** The webhook channel's worker on `outbox`, with the default schedule. */
function instance(outbox: Outbox, clock: FakeClock, url: string, owner: string) {
  const view = watched(outbox);
  const channel = webhookChannel.create(webhookChannel.schema.parse({ hook_url: `${url}/hook` }), {
    timeoutMs: ATTEMPT_TIMEOUT_MS,
  });
  const logLines: string[] = [];
  const worker = new ChannelWorker('webhook', channel, {
    outbox: view.outbox,
    clock,
    settings: { retryDelaysMs: DEFAULT_SCHEDULE_MS, attemptTimeoutMs: ATTEMPT_TIMEOUT_MS },
    logger: pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line).msg) }),
    metrics: NO_NOTIFICATION_METRICS,
    owner,
  });
  worker.start();
  return { worker, isParked: view.isParked, logLines };
}
type Instance = ReturnType<typeof instance>;

function alertAt(atMs: number, index: number): Alert {
  return {
    id: `alert-${index}`,
    kind: index === 0 ? 'changed' : 'reminder',
    status: 'dead',
    replicas: [`web:api:alert-${index}`],
    atMs,
    page: { title: 'Test Status', url: 'https://status.example.com/' },
  };
}

/** Writes the `index`-th alert, decided now, to the outbox and wakes the deciding instance's worker. */
async function queueAlert(
  outbox: Outbox,
  clock: FakeClock,
  deciding: Instance,
  index: number,
): Promise<void> {
  await outbox.enqueue({
    alert: alertAt(clock.now(), index),
    channels: ['webhook'],
    nowMs: clock.now(),
    watcher: { key: 'page', state: INITIAL_ALERT_STATE },
  });
  deciding.worker.wake();
}

/** Lets every worker reach its next wait on the fake clock (real I/O may be involved). */
async function parked(instances: Instance[]): Promise<void> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    // Macrotask turns, so a fired timer's continuation has claimed (and un-parked) before the check.
    await new Promise((resolve) => setImmediate(resolve));
    if (instances.every((each) => each.isParked())) break;
    if (performance.now() > deadline) throw new Error('the workers never came to rest');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await new Promise((resolve) => setImmediate(resolve));
}

interface Step {
  atMs: number;
  run: () => Promise<void> | void;
}

/**
 * Moves fake time from one timer or scheduled step to the next, only while every worker waits,
 * until `finished` holds; fails if that takes more than `limitMs` of fake time.
 */
async function drive(
  clock: FakeClock,
  instances: Instance[],
  steps: Step[],
  finished: () => Promise<boolean>,
  limitMs: number,
): Promise<void> {
  const endMs = clock.now() + limitMs;
  const queue = [...steps].sort((a, b) => a.atMs - b.atMs);
  for (;;) {
    await parked(instances);
    if (queue.length === 0 && (await finished())) return;
    const timerAtMs = clock.nextDueAtMs ?? Number.POSITIVE_INFINITY;
    const step = queue[0];
    const nextAtMs = Math.min(timerAtMs, step?.atMs ?? Number.POSITIVE_INFINITY);
    assert.ok(nextAtMs <= endMs, `still not finished ${limitMs} ms later`);
    clock.advance(nextAtMs - clock.now());
    if (step && step.atMs === nextAtMs) {
      queue.shift();
      await step.run();
    }
  }
}

/**
 * A 5-minute outage of a webhook endpoint while alerts queue, then its recovery, with one worker
 * per instance on the given outboxes (instances sharing a database each have their own).
 */
async function outage(server: CaptureServer, outboxes: Outbox[], pending: () => Promise<number>) {
  const clock = new FakeClock();
  const startMs = clock.now();
  const recoveredAtMs = startMs + OUTAGE_MS;
  const state = endpoint(server, clock);
  state.down = true;
  const instances = outboxes.map((outbox, index) => instance(outbox, clock, server.url, `instance-${index}`));
  const [deciding] = instances;
  const [enqueueing] = outboxes;
  if (!deciding || !enqueueing) throw new Error('no instance');
  const steps: Step[] = QUEUED_AT_MS.map((offsetMs, index) => ({
    atMs: startMs + offsetMs,
    // Only the instance that decided the alert is woken; the others find it on their own.
    run: () => queueAlert(enqueueing, clock, deciding, index),
  }));
  steps.push({
    atMs: recoveredAtMs,
    run: () => {
      state.down = false;
    },
  });
  try {
    await drive(
      clock,
      instances,
      steps,
      async () => (await pending()) === 0,
      OUTAGE_MS + 10 * MAX_RETRY_STEP_MS,
    );
  } finally {
    await Promise.all(instances.map((each) => each.worker.stop(0)));
  }
  return { arrivals: state.arrivals, recoveredAtMs, startMs };
}

/** Issue #15.5's bound: everything queued arrives within one retry step of recovery, in order, once each. */
function assertDrainedInOrder(result: Awaited<ReturnType<typeof outage>>, deliveries: Delivery[]): void {
  const { arrivals, recoveredAtMs, startMs } = result;
  const queued = QUEUED_AT_MS.map((_offset, index) => `web:api:alert-${index}`);
  const accepted = arrivals.filter((each) => each.accepted);
  assert.deepEqual(
    accepted.map((each) => each.alert),
    queued,
    'each alert accepted once, in the order decided',
  );
  for (const each of accepted) {
    const lateMs = each.atMs - recoveredAtMs;
    assert.ok(
      lateMs >= 0 && lateMs <= MAX_RETRY_STEP_MS,
      `${each.alert} arrived ${lateMs} ms after recovery; the step is ${MAX_RETRY_STEP_MS} ms`,
    );
  }

  const probes = arrivals.filter((each) => !each.accepted);
  assert.ok(
    probes.every((each) => each.alert === queued[0]),
    'while down, only the oldest alert is tried',
  );
  const gapsMs = [...probes, ...accepted.slice(0, 1)]
    .slice(1)
    .map((each, index) => each.atMs - (probes[index]?.atMs ?? startMs));
  assert.deepEqual(gapsMs.slice(0, 3), [2000, 2000, 30_000], "Vigil's 2 s, 2 s, then the tail");
  assert.ok(
    gapsMs.every((gapMs) => gapMs <= MAX_RETRY_STEP_MS),
    `the channel is probed at least once a step: ${gapsMs}`,
  );

  assert.deepEqual(
    deliveries.map((each) => [each.alert.id, each.status]).reverse(),
    queued.map((_replica, index) => [`alert-${index}`, 'delivered']),
  );
}

describe('a notifier outage', () => {
  let server: CaptureServer;
  before(async () => {
    server = await startCaptureServer();
  });
  after(() => server.close());

  test('queued alerts reach a recovered endpoint within one retry step, in order, once each [memory]', async () => {
    const outbox = new MemoryOutbox();
    const pending = async () =>
      (await outbox.recentDeliveries({ limit: 100 })).filter((each) => each.status === 'pending').length;
    const result = await outage(server, [outbox], pending);
    assertDrainedInOrder(result, await outbox.recentDeliveries({ limit: 100 }));
  });

  test("one transient failure gets Vigil's tries 2 s apart; a success resets the channel's backoff", async () => {
    const clock = new FakeClock();
    const outbox = new MemoryOutbox();
    const state = endpoint(server, clock);
    const one = instance(outbox, clock, server.url, 'one');
    const enqueue = (index: number, failing: number): Step => ({
      atMs: clock.now() + index * 3_600_000,
      run: () => {
        state.failNext = failing;
        return queueAlert(outbox, clock, one, index);
      },
    });
    const startMs = clock.now();
    try {
      // The first alert fails 4 times (deep into the backoff), the next one, an hour later, once.
      await drive(
        clock,
        [one],
        [enqueue(0, 4), enqueue(1, 1)],
        async () =>
          (await outbox.recentDeliveries({ limit: 10 })).every((each) => each.status === 'delivered'),
        2 * 3_600_000,
      );
    } finally {
      await one.worker.stop(0);
    }
    assert.deepEqual(
      state.arrivals.map(({ atMs, accepted, alert }) => [atMs - startMs, accepted, alert]),
      [
        [0, false, 'web:api:alert-0'],
        [2000, false, 'web:api:alert-0'],
        [4000, false, 'web:api:alert-0'],
        [34_000, false, 'web:api:alert-0'],
        [94_000, true, 'web:api:alert-0'],
        [3_600_000, false, 'web:api:alert-1'],
        [3_602_000, true, 'web:api:alert-1'],
      ],
    );
  });

  test('an alert failing for longer than the schedule is given up; the one behind keeps its own time', async () => {
    const clock = new FakeClock();
    const outbox = new MemoryOutbox();
    const state = endpoint(server, clock);
    state.down = true;
    const one = instance(outbox, clock, server.url, 'one');
    const startMs = clock.now();
    const scheduleMs = DEFAULT_SCHEDULE_MS.reduce((total, delayMs) => total + delayMs, 0);
    const enqueue = (offsetMs: number, index: number): Step => ({
      atMs: startMs + offsetMs,
      run: () => queueAlert(outbox, clock, one, index),
    });
    // Down for 50 minutes: the first alert outlives its schedule (42.6 min), the second does not.
    const recover: Step = {
      atMs: startMs + 50 * 60_000,
      run: () => {
        state.down = false;
      },
    };
    try {
      await drive(
        clock,
        [one],
        [enqueue(0, 0), enqueue(20 * 60_000, 1), recover],
        async () => (await outbox.recentDeliveries({ limit: 10 })).every((each) => each.status !== 'pending'),
        60 * 60_000,
      );
    } finally {
      await one.worker.stop(0);
    }
    const [second, first] = await outbox.recentDeliveries({ limit: 10 });
    assert.equal(first?.status, 'failed');
    const lastTryMs = (first?.attempts.at(-1)?.atMs ?? 0) - startMs;
    assert.ok(
      lastTryMs >= scheduleMs && lastTryMs <= scheduleMs + MAX_RETRY_STEP_MS,
      `given up at ${lastTryMs} ms, the schedule lasts ${scheduleMs} ms`,
    );
    assert.ok(one.logLines.includes('failed dispatching notification to provider: webhook'));
    assert.equal(second?.status, 'delivered');
    const secondTriesMs = state.arrivals
      .filter((each) => each.alert === 'web:api:alert-1')
      .map((each) => each.atMs);
    assert.deepEqual(
      new Set(secondTriesMs.slice(1).map((atMs, index) => atMs - (secondTriesMs[index] ?? 0))),
      new Set([MAX_RETRY_STEP_MS]),
      'the channel is still failing: the next alert does not start the backoff over',
    );
    const accepted = state.arrivals.filter((each) => each.accepted);
    assert.deepEqual(
      accepted.map((each) => [each.alert, each.atMs - recover.atMs <= MAX_RETRY_STEP_MS]),
      [['web:api:alert-1', true]],
    );
  });
});

describeEachEngine('a notifier outage, two instances on one store', (engine) => {
  let server: CaptureServer;
  const stores: Store[] = [];
  before(async () => {
    server = await startCaptureServer();
  });
  after(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await server.close();
  });

  test('queued alerts reach a recovered endpoint within one retry step, in order, once each', async () => {
    const location = await engine.freshLocation();
    // One after the other: the first open migrates the fresh database.
    const first = await openStore(location);
    stores.push(first);
    const second = await openStore(location);
    stores.push(second);
    const result = await outage(
      server,
      [storeOutbox(first), storeOutbox(second)],
      async () => (await first.outbox.pending()).length,
    );
    assertDrainedInOrder(result, await storeOutbox(first).recentDeliveries({ limit: 100 }));
  });
});
