import { type Clock, sleep } from '../time/clock.js';
import { formatSeconds } from './deadline.js';
import type { Probe, ProbeResult, ProbeTarget } from './types.js';

/** Vigil's `[metrics]` poll settings, in milliseconds. */
export interface RetryPolicy {
  /** Extra attempts after a dead one (`poll_retry`). */
  retries: number;
  /** Pause between attempts (`poll_retry_wait`). */
  retryWaitMs: number;
  /** Deadline of each attempt (`poll_delay_dead`). */
  timeoutMs: number;
  /** A healthy attempt at least this slow is sick (`poll_delay_sick`). */
  sickLatencyMs: number;
}

export interface AttemptOptions {
  clock: Clock;
  signal: AbortSignal;
  localAddress?: string;
}

/** Vigil's latency rule: reachable but at least `poll_delay_sick` slow is sick. */
function applySickLatency(result: ProbeResult, sickLatencyMs: number): ProbeResult {
  if (result.health !== 'healthy' || result.latencyMs < sickLatencyMs) return result;
  return {
    health: 'sick',
    latencyMs: result.latencyMs,
    reason: `slow: ${result.latencyMs} ms (sick at ${formatSeconds(sickLatencyMs)})`,
  };
}

/**
 * One poll of one replica (spec §4.3): attempts until one is not dead, at most `retries + 1`,
 * waiting `retryWaitMs` between them. The result is the last attempt's, latency included.
 * Unlike Vigil there is no wait before the first attempt. Script targets get a single attempt and
 * no latency rule: their exit code alone decides (spec §4.4). Never throws: a shutdown during a
 * wait returns the last result.
 */
export async function checkWithRetries<T extends ProbeTarget>(
  probe: Probe<T>,
  target: T,
  policy: RetryPolicy,
  { clock, signal, localAddress }: AttemptOptions,
): Promise<ProbeResult> {
  const context = { timeoutMs: policy.timeoutMs, signal, clock, localAddress };
  let result = await probe.check(target, context);
  if (target.kind === 'script') return result;
  for (let retry = 0; retry < policy.retries && result.health === 'dead'; retry++) {
    try {
      await sleep(clock, policy.retryWaitMs, signal);
    } catch {
      return result;
    }
    result = await probe.check(target, context);
  }
  return applySickLatency(result, policy.sickLatencyMs);
}
