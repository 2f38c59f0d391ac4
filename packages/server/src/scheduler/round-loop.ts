import { setMaxListeners } from 'node:events';
import { type Clock, sleep } from '../time/clock.js';

export interface RoundLoopOptions<Job> {
  /** Jobs of one round, in config order (a typed array of job indexes is 4 B or less per job). */
  jobs: ArrayLike<Job>;
  /** Most jobs in flight at once. */
  parallelism: number;
  /** Pause between the end of one round and the start of the next (Vigil's work + interval period). */
  intervalMs: number;
  /** The round's starts are spread evenly over this window, so probes never fire in a burst. */
  spreadMs: number;
  runJob: (job: Job, signal: AbortSignal) => Promise<void>;
  clock: Clock;
  onRoundEnd?: (durationMs: number) => void;
  onJobError?: (error: unknown, job: Job) => void;
}

/**
 * Runs rounds of jobs forever: every job once per round, at most `parallelism` at a time,
 * then a pause. Rounds never overlap, and `stop` aborts the jobs in flight.
 */
export class RoundLoop<Job> {
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: RoundLoopOptions<Job>) {}

  start(): void {
    if (this.loop || this.options.jobs.length === 0) return;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort(new Error('stopping'));
    await this.loop;
  }

  /** Runs one round and resolves with its duration in ms. */
  async runRound(signal: AbortSignal = this.controller.signal): Promise<number> {
    const { jobs, parallelism, spreadMs, clock, runJob, onJobError } = this.options;
    // Each worker forwards the round's signal to its own, which its jobs listen on: an abort
    // listener is added and removed at every check, and Node walks all of a signal's listeners
    // to add or remove one, so one shared signal would cost a walk over `parallelism` per check.
    setMaxListeners(parallelism + 10, signal);
    const startedAt = clock.now();
    const workerCount = Math.min(parallelism, jobs.length);
    // Job k starts no earlier than k × spreadMs / n into the round: starts are spread over the
    // window, whether a worker is free early (fast targets) or not.
    const slotMs = jobs.length > 1 ? spreadMs / jobs.length : 0;
    let cursor = 0;
    const worker = async () => {
      const own = new AbortController();
      const forward = () => own.abort(signal.reason);
      signal.addEventListener('abort', forward, { once: true });
      try {
        while (!signal.aborted && cursor < jobs.length) {
          const index = cursor++;
          const job = jobs[index] as Job;
          const waitMs = startedAt + index * slotMs - clock.now();
          if (waitMs > 0) await sleep(clock, waitMs, own.signal);
          try {
            await runJob(job, own.signal);
          } catch (error) {
            if (!signal.aborted) onJobError?.(error, job);
          }
        }
      } finally {
        signal.removeEventListener('abort', forward);
      }
    };
    await Promise.all(Array.from({ length: workerCount }, () => worker().catch(() => {})));
    return clock.now() - startedAt;
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      const durationMs = await this.runRound(signal);
      if (signal.aborted) return;
      this.options.onRoundEnd?.(durationMs);
      try {
        await sleep(this.options.clock, this.options.intervalMs, signal);
      } catch {
        return;
      }
    }
  }
}
