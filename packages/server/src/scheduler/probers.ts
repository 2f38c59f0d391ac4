import type { MetricsConfig } from '../config/schema.js';
import type { ObservationSink, ReplicaRef } from '../model/observation.js';
import type { Topology } from '../model/topology.js';
import { checkWithRetries, createProbeRegistry, type IcmpMethod, probeFor } from '../probes/index.js';
import type { ProbeTarget } from '../probes/types.js';
import type { Clock } from '../time/clock.js';
import { RoundLoop } from './round-loop.js';

export interface ProbeJob {
  ref: ReplicaRef;
  target: ProbeTarget;
}

export interface Probers {
  poll: RoundLoop<ProbeJob>;
  script: RoundLoop<ProbeJob>;
}

/** The first wave of a round is spread over at most this long, or the round interval if shorter. */
const MAX_SPREAD_MS = 1000;

function jobsOf(topology: Topology, mode: 'poll' | 'script'): ProbeJob[] {
  return topology.services.flatMap((service) =>
    service.nodes
      .filter((node) => node.mode === mode)
      .flatMap((node) =>
        node.replicas.map((replica) => ({
          ref: { serviceId: service.id, nodeId: node.id, replicaId: replica.id },
          target: replica.target,
        })),
      ),
  );
}

/** Poll and script rounds (spec §4.2), each result handed on as a probe observation. */
export function createProbers(options: {
  topology: Topology;
  metrics: MetricsConfig;
  /** The health model, or whatever takes observations to it. */
  model: ObservationSink;
  clock: Clock;
  onJobError: (error: unknown, job: ProbeJob) => void;
  /** How ICMP checks ping; by default fping batches when installed, else one ping per check. */
  icmp?: IcmpMethod;
  /** Start-up notes, such as which ICMP method runs (logged only when there are ICMP replicas). */
  log?: (message: string) => void;
}): Probers {
  const { topology, metrics, model, clock, onJobError } = options;
  const pollJobs = jobsOf(topology, 'poll');
  const probes = createProbeRegistry(
    pollJobs.map((job) => job.target),
    { icmp: options.icmp, log: options.log },
  );
  // Scripts go through the same path: checkWithRetries gives them one attempt under their own timeout.
  const policy = {
    retries: metrics.poll_retry,
    retryWaitMs: metrics.poll_retry_wait,
    timeoutMs: metrics.poll_delay_dead * 1000,
    sickLatencyMs: metrics.poll_delay_sick * 1000,
  };
  const runJob = async ({ ref, target }: ProbeJob, signal: AbortSignal) => {
    const result = await checkWithRetries(probeFor(target, probes), target, policy, { clock, signal });
    // Stamped when the check ends: the time the replica was seen in this state.
    model.apply({ kind: 'probe', subject: ref, atMs: clock.now(), ...result });
  };
  const loop = (jobs: ProbeJob[], parallelism: number, intervalSeconds: number) =>
    new RoundLoop<ProbeJob>({
      jobs,
      parallelism,
      intervalMs: intervalSeconds * 1000,
      spreadMs: Math.min(MAX_SPREAD_MS, intervalSeconds * 1000),
      clock,
      onJobError,
      runJob,
    });
  return {
    poll: loop(pollJobs, metrics.poll_parallelism, metrics.poll_interval),
    script: loop(jobsOf(topology, 'script'), metrics.script_parallelism, metrics.script_interval),
  };
}
