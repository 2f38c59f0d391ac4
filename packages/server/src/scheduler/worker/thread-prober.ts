import { Worker } from 'node:worker_threads';
import type { ObservationSink, ReplicaRef } from '../../model/observation.js';
import type { Clock, TimerHandle } from '../../time/clock.js';
import type { JobList } from '../job-list.js';
import { reprobeMessage } from '../poll-job.js';
import { observationsOf } from './observation-batcher.js';
import { packTargets } from './packed-targets.js';
import type {
  FromProberThread,
  ProberThreadSettings,
  ProberThreadSetup,
  ToProberThread,
} from './protocol.js';

/** The thread gets this long to stop its checks and send their results before it is terminated. */
const STOP_BUDGET_MS = 1500;
/** A crashed thread is restarted after this long, doubled for each crash in a row, up to the cap. */
const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;

export interface ThreadProberOptions {
  /** The poll jobs; the thread gets their targets, and names each by its index here. */
  jobs: JobList;
  settings: ProberThreadSettings;
  /** Takes the thread's observations: the health model. */
  sink: ObservationSink;
  clock: Clock;
  log: (message: string) => void;
  logError: (message: string, error?: unknown) => void;
  onJobError: (message: string, ref: ReplicaRef) => void;
  /** Whether this instance probes a replica now (a cluster's share); told to the thread before each round. */
  owns?: (ref: ReplicaRef) => boolean;
}

/**
 * Starts `prober-thread` next to this module. Built, it is JavaScript. From source (tests,
 * `--conditions=source --import tsx`), it is TypeScript, and Node 20 does not apply the main
 * thread's `--import` loader to a worker's entry: the thread registers tsx itself, then loads it.
 */
function startThread(jobs: JobList, settings: ProberThreadSettings): Worker {
  const setup: ProberThreadSetup = { ...settings, targets: packTargets(jobs.targets()) };
  const options = { workerData: setup, name: 'vigil-prober' };
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./prober-thread.js', import.meta.url), options);
  const entry = new URL('./prober-thread.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * Runs poll rounds in a worker thread (`prober-thread.ts`) and applies the observations it sends.
 * A thread that dies is restarted with a logged error, never left silent: a prober that stopped
 * probing would leave the page green.
 */
export class ThreadProber {
  private worker: Worker | undefined;
  private running = false;
  private stopping = false;
  private crashesInARow = 0;
  private restartTimer: TimerHandle | undefined;
  private nextRoundId = 0;
  /** The jobs the thread was last told it skips (1 each); undefined when it was told none yet. */
  private toldShare: Uint8Array | undefined;
  private readonly rounds = new Map<
    number,
    { resolve: (ms: number) => void; reject: (error: Error) => void }
  >();

  constructor(private readonly options: ThreadProberOptions) {}

  /** Starts the thread running rounds until `stop`. */
  start(): void {
    if (this.running || this.options.jobs.length === 0) return;
    this.running = true;
    this.tellShare();
    this.post({ type: 'start' });
  }

  /** Runs one round in the thread; resolves with its duration once its observations are applied. */
  runRound(signal?: AbortSignal): Promise<number> {
    const id = this.nextRoundId++;
    return new Promise((resolve, reject) => {
      this.rounds.set(id, { resolve, reject });
      // Giving up waiting leaves the thread's round to finish; `stop` ends it.
      signal?.addEventListener('abort', () => {
        this.rounds.delete(id);
        reject(signal.reason);
      });
      this.tellShare();
      this.post({ type: 'run-round', id });
    });
  }

  /** The share may have changed: told to the running thread now (its remaining jobs follow it). */
  reshare(): void {
    if (this.running) this.tellShare();
  }

  /** Test hook: holds the thread's event loop for `ms`. */
  stallForTest(ms: number): void {
    this.post({ type: 'stall', ms });
  }

  /** Test hook: makes the thread crash. */
  crashForTest(): void {
    this.post({ type: 'crash' });
  }

  /** Stops the checks in flight, applies what they observed, and ends the thread. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) this.options.clock.clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ToProberThread);
    const budget = setTimeout(() => void worker.terminate(), STOP_BUDGET_MS);
    await exited;
    clearTimeout(budget);
  }

  /** Tells the thread which jobs it skips when that changed (checked at each round's end). */
  private tellShare(): void {
    const { owns, jobs } = this.options;
    if (!owns) return;
    const skipped = new Uint8Array(jobs.length);
    for (let index = 0; index < jobs.length; index++) {
      const ref = jobs.ref(index);
      if (ref && !owns(ref)) skipped[index] = 1;
    }
    if (this.toldShare && Buffer.compare(skipped, this.toldShare) === 0) return;
    this.toldShare = skipped;
    this.post({ type: 'share', skipped });
  }

  private post(message: ToProberThread): void {
    if (this.stopping) return;
    this.ensureWorker().postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startThread(this.options.jobs, this.options.settings);
    // Like the clock's timers, probing never keeps a stopping process alive.
    worker.unref();
    let failure: Error | undefined;
    worker.on('message', (message: FromProberThread) => this.receive(message));
    worker.on('error', (error) => {
      failure = error;
    });
    worker.on('exit', (code) => {
      this.worker = undefined;
      this.toldShare = undefined;
      if (!this.stopping) this.restartAfterCrash(code, failure);
    });
    this.worker = worker;
    return worker;
  }

  private receive(message: FromProberThread): void {
    switch (message.type) {
      case 'results': {
        const { jobs } = this.options;
        const { observations, invalid } = observationsOf(message.batch, (index) => jobs.ref(index));
        for (const observation of observations) this.options.sink.apply(observation);
        if (invalid > 0) this.options.logError(`the prober thread sent ${invalid} results that are not ones`);
        return;
      }
      case 'log':
        this.options.log(message.message);
        return;
      case 'reprobe': {
        const ref = this.options.jobs.ref(message.job);
        if (ref) this.options.log(reprobeMessage(ref, message.lagMs, message, 'the prober thread'));
        return;
      }
      case 'job-error': {
        const ref = this.options.jobs.ref(message.job);
        if (ref) this.options.onJobError(message.message, ref);
        return;
      }
      case 'round-ended':
        this.crashesInARow = 0;
        this.tellShare();
        return;
      case 'round-done':
        this.crashesInARow = 0;
        this.rounds.get(message.id)?.resolve(message.durationMs);
        this.rounds.delete(message.id);
        return;
      case 'stopped':
        return;
    }
  }

  private restartAfterCrash(code: number, failure: Error | undefined): void {
    const error = failure ?? new Error(`exit code ${code}`);
    for (const round of this.rounds.values())
      round.reject(new Error('the prober thread stopped', { cause: error }));
    this.rounds.clear();
    const delayMs = Math.min(MAX_RESTART_DELAY_MS, RESTART_DELAY_MS * 2 ** this.crashesInARow);
    this.crashesInARow++;
    this.options.logError(
      `the prober thread stopped unexpectedly (exit code ${code}); poll checks restart in ${delayMs / 1000} s`,
      error,
    );
    if (!this.running) return;
    this.restartTimer = this.options.clock.setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.options.log('the prober thread restarted');
      this.tellShare();
      this.post({ type: 'start' });
    }, delayMs);
  }
}
