import { httpProbe } from './http.js';
import { icmpProbe } from './icmp.js';
import { scriptProbe } from './script.js';
import { sshProbe } from './ssh.js';
import { tcpProbe } from './tcp.js';
import type { Probe, ProbeContext, ProbeResult, ProbeTarget, TargetOf } from './types.js';

export { type AttemptOptions, checkWithRetries, type RetryPolicy } from './attempt.js';
export { DEFAULT_PING_PATH } from './icmp.js';
export { redactUrl } from './redact.js';
export { parseReplicaUrl, REPLICA_URL_GRAMMAR, type ReplicaUrlParse } from './replica-url.js';
export { createScriptProbe, type ScriptProbeOptions } from './script.js';
export type * from './types.js';
export { httpProbe, icmpProbe, scriptProbe, sshProbe, tcpProbe };

/** One probe per target kind; adding a kind to ProbeTarget makes this fail to compile until it has one. */
export const probeRegistry: { readonly [K in ProbeTarget['kind']]: Probe<TargetOf<K>> } = {
  icmp: icmpProbe,
  tcp: tcpProbe,
  ssh: sshProbe,
  http: httpProbe,
  script: scriptProbe,
};

/** The probe for a target's kind. */
export function probeFor<T extends ProbeTarget>(target: T): Probe<T> {
  // TypeScript cannot correlate the registry entry with T's kind; the mapped type above guarantees it.
  return probeRegistry[target.kind] as unknown as Probe<T>;
}

/** Runs one check of any target. Never throws. */
export function runProbe(target: ProbeTarget, context: ProbeContext): Promise<ProbeResult> {
  return probeFor(target).check(target, context);
}
