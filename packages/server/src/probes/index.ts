import { dnsProbe } from './dns.js';
import { grpcProbe } from './grpc.js';
import { httpProbe } from './http.js';
import { chooseIcmpMethod, createIcmpProbe, type IcmpMethod, icmpProbe } from './icmp.js';
import { mqttProbe } from './mqtt.js';
import { mysqlProbe } from './mysql.js';
import { postgresProbe } from './postgres.js';
import { redisProbe } from './redis.js';
import { scriptProbe } from './script.js';
import { sshProbe } from './ssh.js';
import { tcpProbe } from './tcp.js';
import { tlsProbe } from './tls.js';
import type { Probe, ProbeContext, ProbeResult, ProbeTarget, TargetOf } from './types.js';

export { type AttemptOptions, checkWithRetries, type RetryPolicy } from './attempt.js';
export { chooseIcmpMethod, DEFAULT_PING_PATH, type IcmpMethod, PING_PER_CHECK } from './icmp.js';
export { redactUrl } from './redact.js';
export {
  ADDED_KINDS_GRAMMAR,
  parseReplicaUrl,
  REPLICA_URL_GRAMMAR,
  type ReplicaUrlParse,
} from './replica-url.js';
export { createScriptProbe, type ScriptProbeOptions } from './script.js';
export type * from './types.js';
export {
  dnsProbe,
  grpcProbe,
  httpProbe,
  icmpProbe,
  mqttProbe,
  mysqlProbe,
  postgresProbe,
  redisProbe,
  scriptProbe,
  sshProbe,
  tcpProbe,
  tlsProbe,
};

/** One probe per target kind; adding a kind to ProbeTarget makes this fail to compile until it has one. */
export type ProbeRegistry = { readonly [K in ProbeTarget['kind']]: Probe<TargetOf<K>> };

/** Stateless probes: nothing is shared between checks (ICMP runs one ping process per address). */
export const probeRegistry: ProbeRegistry = {
  icmp: icmpProbe,
  tcp: tcpProbe,
  ssh: sshProbe,
  tls: tlsProbe,
  http: httpProbe,
  script: scriptProbe,
  mysql: mysqlProbe,
  mqtt: mqttProbe,
  grpc: grpcProbe,
  dns: dnsProbe,
  redis: redisProbe,
  postgres: postgresProbe,
};

/**
 * The probes of one long-running prober (Vigil's rounds, vigil-local's cycles) over `targets`: its
 * ICMP checks share fping runs when fping is installed. How ICMP pings is decided, and logged, only
 * when there are ICMP targets (choosing runs fping once).
 */
export function createProbeRegistry(
  targets: readonly ProbeTarget[],
  options: { icmp?: IcmpMethod; log?: (message: string) => void } = {},
): ProbeRegistry {
  if (!targets.some((target) => target.kind === 'icmp')) return probeRegistry;
  const icmp = options.icmp ?? chooseIcmpMethod();
  options.log?.(icmp.description);
  return { ...probeRegistry, icmp: createIcmpProbe(icmp) };
}

/** The probe for a target's kind. */
export function probeFor<T extends ProbeTarget>(
  target: T,
  registry: ProbeRegistry = probeRegistry,
): Probe<T> {
  // TypeScript cannot correlate the registry entry with T's kind; the mapped type above guarantees it.
  return registry[target.kind] as unknown as Probe<T>;
}

/** Runs one check of any target. Never throws. */
export function runProbe(target: ProbeTarget, context: ProbeContext): Promise<ProbeResult> {
  return probeFor(target).check(target, context);
}
