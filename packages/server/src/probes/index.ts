import { chooseIcmpMethod, createIcmpProbe, type IcmpMethod } from './icmp.js';
import { PROBE_KINDS } from './registry.js';
import type {
  KindedTarget,
  Probe,
  ProbeContext,
  ProbeKindName,
  ProbeResult,
  ProbeTarget,
  TargetOf,
} from './types.js';

export { type AttemptOptions, checkWithRetries, type RetryPolicy } from './attempt.js';
export { chooseIcmpMethod, DEFAULT_PING_PATH, type IcmpMethod, PING_PER_CHECK } from './icmp.js';
export { redactUrl } from './redact.js';
export {
  parseReplicaUrl,
  REPLICA_URL_GRAMMAR,
  type ReplicaUrlParse,
  replicaUrlGrammar,
} from './replica-url.js';
export { createScriptProbe, type ScriptProbeOptions } from './script.js';
export type * from './types.js';

/** One probe per target kind, keyed by kind. */
export type ProbeRegistry = { readonly [K in ProbeKindName]: Probe<TargetOf<K>> };

/** Stateless probes: nothing is shared between checks (ICMP runs one ping process per address). */
export const probeRegistry = Object.fromEntries(
  PROBE_KINDS.map((definition) => [definition.kind, definition]),
  // Each entry is filed under its own kind, which is what the mapped type says.
) as unknown as ProbeRegistry;

/**
 * The probes of one long-running prober (Vigil's rounds, vigil-local's cycles) over `targets` (only
 * their kinds are read): its ICMP checks share fping runs when fping is installed. How ICMP pings is
 * decided, and logged, only when there are ICMP targets (choosing runs fping once).
 */
export function createProbeRegistry(
  targets: Iterable<KindedTarget>,
  options: { icmp?: IcmpMethod; log?: (message: string) => void } = {},
): ProbeRegistry {
  if (!hasIcmp(targets)) return probeRegistry;
  const icmp = options.icmp ?? chooseIcmpMethod();
  options.log?.(icmp.description);
  return { ...probeRegistry, icmp: createIcmpProbe(icmp) };
}

function hasIcmp(targets: Iterable<KindedTarget>): boolean {
  for (const target of targets) if (target.kind === 'icmp') return true;
  return false;
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
