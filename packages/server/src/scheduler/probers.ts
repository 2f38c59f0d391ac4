import type { MetricsConfig } from '../config/schema.js';
import type { HealthModel, ReplicaRef } from '../model/health-model.js';
import type { Topology } from '../model/topology.js';
import { checkWithRetries, probeRegistry, runProbe } from '../probes/index.js';
import type { ProbeTarget, ScriptTarget } from '../probes/types.js';
import type { Clock } from '../time/clock.js';
import { RoundLoop } from './round-loop.js';

interface ProbeJob<T extends ProbeTarget = ProbeTarget> {
  ref: ReplicaRef;
  target: T;
}

export interface Probers {
  poll: RoundLoop<ProbeJob>;
  script: RoundLoop<ProbeJob<ScriptTarget>>;
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

/** Poll and script rounds (spec §4.2), each feeding its results into the health model. */
export function createProbers(options: {
  topology: Topology;
  metrics: MetricsConfig;
  model: HealthModel;
  clock: Clock;
  onJobError: (error: unknown, job: ProbeJob) => void;
}): Probers {
  const { topology, metrics, model, clock, onJobError } = options;
  const policy = {
    retries: metrics.poll_retry,
    retryWaitMs: metrics.poll_retry_wait,
    timeoutMs: metrics.poll_delay_dead * 1000,
    sickLatencyMs: metrics.poll_delay_sick * 1000,
  };
  const poll = new RoundLoop<ProbeJob>({
    jobs: jobsOf(topology, 'poll'),
    parallelism: metrics.poll_parallelism,
    intervalMs: metrics.poll_interval * 1000,
    spreadMs: Math.min(MAX_SPREAD_MS, metrics.poll_interval * 1000),
    clock,
    onJobError,
    runJob: async ({ ref, target }, signal) => {
      const probe = probeRegistry[target.kind] as Parameters<typeof checkWithRetries>[0];
      model.observeProbe(ref, await checkWithRetries(probe, target, policy, { clock, signal }));
    },
  });
  const script = new RoundLoop<ProbeJob<ScriptTarget>>({
    jobs: jobsOf(topology, 'script') as ProbeJob<ScriptTarget>[],
    parallelism: metrics.script_parallelism,
    intervalMs: metrics.script_interval * 1000,
    spreadMs: Math.min(MAX_SPREAD_MS, metrics.script_interval * 1000),
    clock,
    onJobError,
    // Scripts are not retried and carry their own timeout, as their exit code alone decides.
    runJob: async ({ ref, target }, signal) => {
      model.observeProbe(ref, await runProbe(target, { timeoutMs: target.timeoutMs ?? 0, signal }));
    },
  });
  return { poll, script };
}
