import { type ProbeTarget, redactUrl } from '@vigil-ts/server/probes';
import type { LocalConfig, LocalNodeConfig } from './config/schema.js';
import { type LocalReplicaAddress, parseLocalReplicaUrl } from './config/validate.js';

/** One replica to probe and report each cycle. */
export interface ReplicaJob {
  serviceId: string;
  nodeId: string;
  /**
   * The id the report carries: the replica URL as written in the config (its secrets masked: only
   * `target` carries them), or the script index.
   */
  replicaId: string;
  target: ProbeTarget;
}

/** Vigil Local's HTTP check (spec §9): HEAD, no cache-buster, only its User-Agent, 200 ≤ status < 400. */
function pollTarget(address: LocalReplicaAddress, userAgent: string): ProbeTarget {
  if (address.kind !== 'http') return address;
  return {
    kind: 'http',
    url: address.url,
    method: 'HEAD',
    headers: { 'User-Agent': userAgent },
    statusHealthyAbove: 200,
    statusHealthyBelow: 400,
    cacheBuster: false,
  };
}

function nodeTargets(node: LocalNodeConfig, config: LocalConfig, userAgent: string) {
  if (node.mode === 'script') {
    const timeoutMs = config.metrics.script_timeout * 1000;
    return (node.scripts ?? []).map((source, index) => ({
      replicaId: String(index),
      target: { kind: 'script', source, timeoutMs } satisfies ProbeTarget,
    }));
  }
  return (node.replicas ?? []).map((raw) => {
    const parsed = parseLocalReplicaUrl(raw);
    // The loader refuses invalid URLs, so this only guards against configs built by hand.
    if (!parsed.ok) throw new Error(parsed.error);
    return { replicaId: redactUrl(raw), target: pollTarget(parsed.address, userAgent) };
  });
}

/** Every replica of the config, in config order (the order Vigil Local probes them in). */
export function buildJobs(config: LocalConfig, userAgent: string): ReplicaJob[] {
  return config.probe.service.flatMap((service) =>
    service.node.flatMap((node) =>
      nodeTargets(node, config, userAgent).map((job) => ({ serviceId: service.id, nodeId: node.id, ...job })),
    ),
  );
}
