import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { RoundLoop } from '../../src/scheduler/round-loop.js';
import { sleep, systemClock } from '../../src/time/clock.js';
import { FakeClock } from '../helpers/fake-clock.js';

test('a round runs every job once with at most `parallelism` in flight', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const done: number[] = [];
  const loop = new RoundLoop<number>({
    jobs: Array.from({ length: 50 }, (_, index) => index),
    parallelism: 4,
    intervalMs: 1000,
    spreadMs: 0,
    clock: systemClock,
    runJob: async (job) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await tick();
      await tick();
      inFlight--;
      done.push(job);
    },
  });
  await loop.runRound();
  assert.equal(maxInFlight, 4);
  assert.deepEqual(
    [...done].sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, index) => index),
  );
});

test('the first wave is spread over spreadMs instead of firing at once', async () => {
  const clock = new FakeClock(0);
  const startedAt: number[] = [];
  const loop = new RoundLoop<number>({
    jobs: [0, 1, 2, 3],
    parallelism: 4,
    intervalMs: 1000,
    spreadMs: 400,
    clock,
    runJob: async () => {
      startedAt.push(clock.now());
      await sleep(clock, 1000);
    },
  });
  const round = loop.runRound();
  for (let step = 0; step < 20; step++) {
    await tick();
    clock.advance(100);
  }
  await round;
  assert.deepEqual(startedAt, [0, 100, 200, 300]);
});

test('every start of a round is spread, not only the first wave', async () => {
  const clock = new FakeClock(0);
  const startedAt: number[] = [];
  const loop = new RoundLoop<number>({
    jobs: [0, 1, 2, 3, 4, 5],
    parallelism: 2,
    intervalMs: 1000,
    spreadMs: 600,
    clock,
    // Instant jobs: free workers would otherwise start the rest at once.
    runJob: async () => {
      startedAt.push(clock.now());
    },
  });
  const round = loop.runRound();
  for (let step = 0; step < 20; step++) {
    await tick();
    clock.advance(50);
  }
  await round;
  assert.deepEqual(startedAt, [0, 100, 200, 300, 400, 500]);
});

test('rounds never overlap: the next starts intervalMs after the previous one ends', async () => {
  const clock = new FakeClock(0);
  const events: string[] = [];
  let release: (() => void) | undefined;
  const loop = new RoundLoop<string>({
    jobs: ['only'],
    parallelism: 2,
    intervalMs: 5000,
    spreadMs: 0,
    clock,
    runJob: async () => {
      events.push(`start@${clock.now()}`);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      events.push(`end@${clock.now()}`);
    },
  });
  loop.start();
  await tick();
  clock.advance(60_000); // the job is still running: no second round may start
  assert.deepEqual(events, ['start@0']);
  release?.();
  await tick();
  await tick();
  clock.advance(4_999);
  await tick();
  assert.deepEqual(events, ['start@0', 'end@60000']);
  clock.advance(1);
  await tick();
  assert.deepEqual(events, ['start@0', 'end@60000', 'start@65000']);
  const stopping = loop.stop();
  release?.();
  await stopping;
});

test('a failing job is reported and the round goes on', async () => {
  const failures: unknown[] = [];
  const ran: number[] = [];
  const loop = new RoundLoop<number>({
    jobs: [1, 2, 3],
    parallelism: 1,
    intervalMs: 1000,
    spreadMs: 0,
    clock: systemClock,
    onJobError: (error) => failures.push(error),
    runJob: async (job) => {
      if (job === 2) throw new Error('broken');
      ran.push(job);
    },
  });
  await loop.runRound();
  assert.deepEqual(ran, [1, 3]);
  assert.equal(failures.length, 1);
});

test('stop aborts jobs in flight and resolves', async () => {
  let aborted = false;
  const loop = new RoundLoop<number>({
    jobs: [1],
    parallelism: 1,
    intervalMs: 1000,
    spreadMs: 0,
    clock: systemClock,
    runJob: (_job, signal) =>
      new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve();
        });
      }),
  });
  loop.start();
  await tick();
  await loop.stop();
  assert.equal(aborted, true);
});

test("each worker's jobs share a signal of its own that follows the round's, and leave no listener behind", async () => {
  const round = new AbortController();
  const signals: AbortSignal[] = [];
  const started: number[] = [];
  const loop = new RoundLoop<number>({
    jobs: [0, 1, 2, 3, 4, 5],
    parallelism: 3,
    intervalMs: 1000,
    spreadMs: 0,
    clock: systemClock,
    runJob: (job, signal) => {
      signals.push(signal);
      started.push(job);
      // The first three finish; the next three wait for the abort.
      if (job < 3) return tick().then(() => undefined);
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    },
  });
  const finished = loop.runRound(round.signal);
  while (started.length < 6) await tick();
  // One listener per worker on the round's signal, however many checks each makes.
  assert.equal(getEventListeners(round.signal, 'abort').length, 3);
  assert.equal(new Set(signals).size, 3);
  assert.ok(signals.every((signal) => signal !== round.signal && !signal.aborted));
  round.abort(new Error('stopping'));
  await finished;
  assert.ok(signals.every((signal) => signal.aborted && signal.reason === round.signal.reason));
  assert.equal(getEventListeners(round.signal, 'abort').length, 0);
});
