import type { MetricsConfig } from '../config/schema.js';
import type { ObservationSink, ReplicaRef } from '../model/observation.js';
import { checkWithRetries, type ProbeRegistry, probeFor, type RetryPolicy } from '../probes/index.js';
import type { ProbeResult, ProbeTarget } from '../probes/types.js';
import type { Clock } from '../time/clock.js';
import type { LagMonitor } from './lag-monitor.js';

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

export interface PollJobOptions {
  probes: ProbeRegistry;
  policy: RetryPolicy;
  /** The local address HTTP and TCP-based probes connect from; the system's choice when absent. */
  localAddress?: string;
  clock: Clock;
  /** Where each result goes, as a probe observation. */
  sink: ObservationSink;
  /** The event loop of the thread the checks run on. */
  lag: LagMonitor;
  lagBoundMs?: number;
  /** Told when a result is set aside because the prober lagged. */
  onReprobe?: (job: ProbeJob, lagMs: number, result: ProbeResult) => void;
}

/**
 * One replica's check, run by a round: Vigil's attempts and slow→sick rule, then a probe
 * observation. A slow or timed-out result measured while this thread's loop was held beyond the
 * bound says nothing about the target, so it is checked once more and only that answer counts.
 */
export function pollJobRunner(
  options: PollJobOptions,
): (job: ProbeJob, signal: AbortSignal) => Promise<void> {
  const { probes, policy, clock, sink, lag, lagBoundMs = LAG_BOUND_MS, onReprobe, localAddress } = options;
  return async (job, signal) => {
    const check = () =>
      checkWithRetries(probeFor(job.target, probes), job.target, policy, { clock, signal, localAddress });
    const mark = lag.mark();
    let result = await check();
    if (job.target.kind !== 'script' && slowAndUnhealthy(result, policy) && !signal.aborted) {
      const lagMs = lag.worstSince(mark);
      if (lagMs >= lagBoundMs) {
        onReprobe?.(job, lagMs, result);
        result = await check();
      }
    }
    // Stamped when the check ends: the time the replica was seen in this state.
    sink.apply({ kind: 'probe', subject: job.ref, atMs: clock.now(), ...result });
  };
}
