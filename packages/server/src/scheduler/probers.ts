import type { MetricsConfig } from '../config/schema.js';
import type { ObservationSink, ReplicaRef } from '../model/observation.js';
import type { Topology } from '../model/topology.js';
import { createProbeRegistry, type IcmpMethod } from '../probes/index.js';
import type { Clock } from '../time/clock.js';
import { JobList } from './job-list.js';
import { LagMonitor } from './lag-monitor.js';
import {
  observeInto,
  type ProbeJob,
  pollJobRunner,
  probeJobTarget,
  reprobeMessage,
  retryPolicyOf,
} from './poll-job.js';
import { RoundLoop } from './round-loop.js';
import { ThreadProber } from './worker/thread-prober.js';

/** What runs rounds: a loop on this thread, or the prober thread. */
export interface ProbeLoop {
  start(): void;
  stop(): Promise<void>;
  /** Runs one round and resolves with its duration in ms once its results are in the model. */
  runRound(signal?: AbortSignal): Promise<number>;
  /**
   * The share (`owns`) may have changed: a prober thread is told now, not at its round's end. A
   * loop on this thread needs no telling: it asks `owns` before each job.
   */
  reshare?(): void;
}

export interface Probers {
  poll: ProbeLoop;
  script: ProbeLoop;
}

/**
 * Unless the config says (`poll_in_worker`), poll checks get a thread of their own from this many
 * poll replicas on. Below, the thread's ~10 MB buys little: a handful of checks cost the main thread
 * next to nothing, and a slow result measured while it was held is checked again there too
 * (`poll-job.ts`), so a busy main thread still raises no false alarm.
 */
export const POLL_REPLICAS_FOR_THREAD = 50;

/** The first wave of a round is spread over at most this long, or the round interval if shorter. */
const MAX_SPREAD_MS = 1000;

export interface ProbersOptions {
  topology: Topology;
  metrics: MetricsConfig;
  /** The health model, or whatever takes observations to it. */
  model: ObservationSink;
  clock: Clock;
  /** A job that threw (a bug: probes never throw); `ref` says whose. */
  onJobError: (error: unknown, ref: ReplicaRef) => void;
  /**
   * Poll rounds run in a worker thread (`worker/`), so a busy main thread cannot make targets look
   * slow. The thread keeps its own time (the system clock) and picks its own ICMP method. Unset:
   * from POLL_REPLICAS_FOR_THREAD poll replicas on.
   */
  pollInWorker?: boolean;
  /** How ICMP checks ping (this thread only); by default fping batches when installed, else one ping per check. */
  icmp?: IcmpMethod;
  /** Start-up notes, such as which ICMP method runs (logged only when there are ICMP replicas), and re-probes. */
  log?: (message: string) => void;
  /** A prober thread that stopped unexpectedly (it is restarted). */
  logError?: (message: string, error?: unknown) => void;
  /** Whether this instance probes a replica at this round (a cluster shares them out); all by default. */
  owns?: (ref: ReplicaRef, mode: 'poll' | 'script') => boolean;
  /** The local address HTTP and TCP-based probes connect from (`[cluster] source_address`). */
  localAddress?: string;
}

/** Poll and script rounds (spec §4.2), each result handed on as a probe observation. */
export function createProbers(options: ProbersOptions): Probers {
  const { topology, metrics, model, clock, onJobError } = options;
  const log = options.log ?? (() => {});
  const policy = retryPolicyOf(metrics);
  const pollJobs = new JobList(topology, 'poll');
  const spreadMs = (intervalSeconds: number) => Math.min(MAX_SPREAD_MS, intervalSeconds * 1000);
  // Scripts stay on this thread: a script's time is its process's, which a busy loop hardly skews.
  const scriptJobs = new JobList(topology, 'script');
  const { owns } = options;
  const loop = (
    jobs: JobList,
    mode: 'poll' | 'script',
    parallelism: number,
    intervalSeconds: number,
  ): ProbeLoop => {
    const lag = new LagMonitor();
    const probes = createProbeRegistry(jobs.targets(), { icmp: options.icmp, log });
    const runOwnJob = pollJobRunner<ProbeJob>({
      probes,
      policy,
      localAddress: options.localAddress,
      clock,
      targetOf: probeJobTarget,
      report: observeInto(model),
      lag,
      onReprobe: (job, lagMs, result) => log(reprobeMessage(job.ref, lagMs, result, 'this thread')),
    });
    // A job's ref and target are made when it runs: nothing is kept per replica.
    const runJob = (index: number, signal: AbortSignal) => {
      const ref = jobs.ref(index);
      const target = jobs.target(index);
      if (!ref || !target || (owns && !owns(ref, mode))) return Promise.resolve();
      return runOwnJob({ ref, target }, signal);
    };
    const rounds = new RoundLoop<number>({
      jobs: jobs.indexes(),
      parallelism,
      intervalMs: intervalSeconds * 1000,
      spreadMs: spreadMs(intervalSeconds),
      clock,
      onJobError: (error, index) => {
        const ref = jobs.ref(index);
        if (ref) onJobError(error, ref);
      },
      runJob,
    });
    return {
      start: () => {
        lag.start();
        rounds.start();
      },
      stop: async () => {
        await rounds.stop();
        lag.stop();
      },
      runRound: async (signal) => {
        lag.start();
        return rounds.runRound(signal);
      },
    };
  };
  // No poll replicas, no thread: an idle isolate of its own costs ~10 MB.
  const poll =
    pollJobs.length > 0 && (options.pollInWorker ?? pollJobs.length >= POLL_REPLICAS_FOR_THREAD)
      ? new ThreadProber({
          jobs: pollJobs,
          settings: {
            policy,
            parallelism: metrics.poll_parallelism,
            intervalMs: metrics.poll_interval * 1000,
            spreadMs: spreadMs(metrics.poll_interval),
            localAddress: options.localAddress,
          },
          owns: owns && ((ref) => owns(ref, 'poll')),
          sink: model,
          clock,
          log,
          logError: options.logError ?? ((message) => log(message)),
          onJobError: (message, ref) => onJobError(new Error(message), ref),
        })
      : loop(pollJobs, 'poll', metrics.poll_parallelism, metrics.poll_interval);
  return {
    poll,
    script: loop(scriptJobs, 'script', metrics.script_parallelism, metrics.script_interval),
  };
}
