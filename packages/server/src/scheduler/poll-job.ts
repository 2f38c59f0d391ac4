import type { MetricsConfig } from '../config/schema.js';
import type { ObservationSink, ReplicaRef } from '../model/observation.js';
import { checkWithRetries, type ProbeRegistry, probeFor, type RetryPolicy } from '../probes/index.js';
import type { ProbeResult, ProbeTarget } from '../probes/types.js';
import type { Clock } from '../time/clock.js';
import type { LagMonitor } from './lag-monitor.js';

/** A check of the main thread's loops, made when it runs (`JobList` keeps nothing per replica). */
export interface ProbeJob {
  ref: ReplicaRef;
  target: ProbeTarget;
}

/**
 * A check's slowness is blamed on the prober, not the target, when its thread's event loop was held
 * at least this long meanwhile: the target's answer waited that long to be read.
 */
export const LAG_BOUND_MS = 100;

/** Vigil's `[metrics]` poll settings as one check applies them. */
export function retryPolicyOf(metrics: MetricsConfig): RetryPolicy {
  return {
    retries: metrics.poll_retry,
    retryWaitMs: metrics.poll_retry_wait,
    timeoutMs: metrics.poll_delay_dead * 1000,
    sickLatencyMs: metrics.poll_delay_sick * 1000,
  };
}

/** A result that slowness made unhealthy: sick by latency, or dead by its deadline. */
function slowAndUnhealthy(result: ProbeResult, policy: RetryPolicy): boolean {
  return result.health !== 'healthy' && result.latencyMs >= policy.sickLatencyMs;
}

/** The log line of a re-probe; `where` names the thread that lagged. */
export function reprobeMessage(ref: ReplicaRef, lagMs: number, result: ProbeResult, where: string): string {
  return `re-probing ${ref.serviceId}:${ref.nodeId}:${ref.replicaId}: its ${result.health} result (${result.latencyMs} ms) was measured while ${where} was held ${Math.round(lagMs)} ms`;
}

/** A job of the main thread's loops: the replica and what to check. */
export const probeJobTarget = (job: ProbeJob): ProbeTarget => job.target;

/** The main thread's loops hand each result to the model as a probe observation. */
export function observeInto(sink: ObservationSink) {
  return (job: ProbeJob, result: ProbeResult, atMs: number): void => {
    sink.apply({ kind: 'probe', subject: job.ref, atMs, ...result });
  };
}

export interface PollJobOptions<Job> {
  probes: ProbeRegistry;
  policy: RetryPolicy;
  /** The local address HTTP and TCP-based probes connect from; the system's choice when absent. */
  localAddress?: string;
  clock: Clock;
  /** What a job checks. */
  targetOf: (job: Job) => ProbeTarget;
  /** Where each result goes, with the time its check ended. */
  report: (job: Job, result: ProbeResult, atMs: number) => void;
  /** The event loop of the thread the checks run on. */
  lag: LagMonitor;
  lagBoundMs?: number;
  /** Told when a result is set aside because the prober lagged. */
  onReprobe?: (job: Job, lagMs: number, result: ProbeResult) => void;
}

/**
 * One replica's check, run by a round: Vigil's attempts and slow→sick rule, then the result
 * reported. A slow or timed-out result measured while this thread's loop was held beyond the
 * bound says nothing about the target, so it is checked once more and only that answer counts.
 * A job is whatever the loop keeps per replica (the prober thread: an index), so nothing is made
 * per replica here.
 */
export function pollJobRunner<Job>(
  options: PollJobOptions<Job>,
): (job: Job, signal: AbortSignal) => Promise<void> {
  const {
    probes,
    policy,
    clock,
    targetOf,
    report,
    lag,
    lagBoundMs = LAG_BOUND_MS,
    onReprobe,
    localAddress,
  } = options;
  return async (job, signal) => {
    const target = targetOf(job);
    const probe = probeFor(target, probes);
    const attempt = { clock, signal, localAddress };
    const mark = lag.mark();
    let result = await checkWithRetries(probe, target, policy, attempt);
    if (target.kind !== 'script' && slowAndUnhealthy(result, policy) && !signal.aborted) {
      const lagMs = lag.worstSince(mark);
      if (lagMs >= lagBoundMs) {
        onReprobe?.(job, lagMs, result);
        result = await checkWithRetries(probe, target, policy, attempt);
      }
    }
    // Stamped when the check ends: the time the replica was seen in this state.
    report(job, result, clock.now());
  };
}
