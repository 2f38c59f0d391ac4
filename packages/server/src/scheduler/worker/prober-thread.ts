/**
 * The prober thread's entry (a worker_threads Worker started by `ThreadProber`): it runs the poll
 * rounds next to their sockets, on an event loop that page renders, reports and the store never
 * hold, and posts batches of probe observations to the main thread, which applies them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createProbeRegistry, redactUrl } from '../../probes/index.js';
import { fullCollection } from '../../process/idle-heap.js';
import { systemClock } from '../../time/clock.js';
import { jobIndexes } from '../job-list.js';
import { LagMonitor } from '../lag-monitor.js';
import { pollJobRunner } from '../poll-job.js';
import { RoundLoop } from '../round-loop.js';
import { IdleCollection } from './idle-collection.js';
import { ResultBatcher } from './observation-batcher.js';
import { packedCount, unpackTarget } from './packed-targets.js';
import type { FromProberThread, ProberThreadSetup, ToProberThread } from './protocol.js';

/** Anything URL-like in a text, which could carry a replica's credentials. */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

function describeJobError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}

/** Busy-waits: the test hook standing for a thread kept busy by other work. */
function holdLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Spinning on purpose.
  }
}

function runProberThread(port: NonNullable<typeof parentPort>, setup: ProberThreadSetup): void {
  const post = (message: FromProberThread) => port.postMessage(message);
  const { targets } = setup;
  // The batch's buffer is handed over, not copied.
  const batcher = new ResultBatcher((batch) =>
    port.postMessage({ type: 'results', batch } satisfies FromProberThread, [batch.numbers.buffer]),
  );
  // Every kind among the targets has a template.
  const probes = createProbeRegistry(targets.templates, {
    log: (message) => post({ type: 'log', level: 'info', message }),
  });
  const lag = new LagMonitor();
  lag.start();
  // Between the running loop's rounds only: a round run on request may be followed by another at once.
  const idle = new IdleCollection({
    clock: systemClock,
    intervalMs: setup.intervalMs,
    collect: fullCollection(),
  });
  let skipped: Uint8Array = new Uint8Array(0);
  const runOwnJob = pollJobRunner<number>({
    probes,
    policy: setup.policy,
    localAddress: setup.localAddress,
    clock: systemClock,
    targetOf: (job) => {
      const target = unpackTarget(targets, job);
      if (!target) throw new Error(`job ${job} has no target`);
      return target;
    },
    report: (job, result, atMs) => batcher.add(job, result, atMs),
    lag,
    onReprobe: (job, lagMs, { health, latencyMs }) =>
      post({ type: 'reprobe', job, lagMs, health, latencyMs }),
  });
  const loop = new RoundLoop<number>({
    jobs: jobIndexes(packedCount(targets)),
    parallelism: setup.parallelism,
    intervalMs: setup.intervalMs,
    spreadMs: setup.spreadMs,
    clock: systemClock,
    runJob: (job, signal) => (skipped[job] === 1 ? Promise.resolve() : runOwnJob(job, signal)),
    onRoundEnd: (durationMs) => {
      batcher.flush();
      post({ type: 'round-ended', durationMs });
      idle.roundEnded();
    },
    onJobError: (error, job) => post({ type: 'job-error', job, message: describeJobError(error) }),
  });
  port.on('message', (message: ToProberThread) => {
    switch (message.type) {
      case 'start':
        loop.start();
        return;
      case 'share':
        skipped = message.skipped;
        return;
      case 'run-round':
        void loop.runRound().then((durationMs) => {
          batcher.flush();
          post({ type: 'round-done', id: message.id, durationMs });
        });
        return;
      case 'stop':
        idle.cancel();
        void loop.stop().then(() => {
          lag.stop();
          batcher.flush();
          post({ type: 'stopped' });
          port.close();
        });
        return;
      case 'stall':
        holdLoop(message.ms);
        return;
      case 'crash':
        setImmediate(() => {
          throw new Error('prober thread crash requested by a test');
        });
        return;
    }
  });
}

if (!parentPort) throw new Error('prober-thread is a worker_threads entry: start it with ThreadProber');
runProberThread(parentPort, workerData as ProberThreadSetup);
