import type { ConfigProblem, KeyPath } from '@vigil-ts/server/config';
import { parseReplicaUrl, type ReplicaAddress, replicaUrlGrammar } from '@vigil-ts/server/probes';
import type { LocalConfig, LocalNodeConfig } from './schema.js';

/** A poll replica URL vigil-local can probe: every kind but SSH (all but Vigil's are Vigil TS extensions). */
export type LocalReplicaAddress = Exclude<ReplicaAddress, { kind: 'ssh' }>;

export type LocalReplicaParse = { ok: true; address: LocalReplicaAddress } | { ok: false; error: string };

/** Every form the server takes but ssh://, which Vigil Local refuses too (spec §9). */
const LOCAL_REPLICA_URL_GRAMMAR = replicaUrlGrammar((kind) => kind !== 'ssh');

/** The server's replica URL grammar without ssh://. */
export function parseLocalReplicaUrl(raw: string): LocalReplicaParse {
  const parsed = parseReplicaUrl(raw, LOCAL_REPLICA_URL_GRAMMAR);
  if (!parsed.ok) return parsed;
  if (parsed.address.kind === 'ssh') {
    return {
      ok: false,
      error:
        `"${raw}": ssh:// replicas are not supported by vigil-local (nor by Vigil Local); ` +
        'use tcp://HOST:PORT to check the port accepts connections, or probe it from the Vigil server',
    };
  }
  return { ok: true, address: parsed.address };
}

export interface ValidationResult {
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}

/** Rules across keys, run once the schema passes. Errors stop the relay; warnings are logged. */
export function validateLocalConfig(config: LocalConfig): ValidationResult {
  const result: ValidationResult = { errors: [], warnings: [] };
  const { poll_delay_sick: sick, poll_delay_dead: dead } = config.metrics;
  if (sick >= dead) {
    result.warnings.push({
      path: ['metrics', 'poll_delay_sick'],
      message: `${sick} s is not below poll_delay_dead (${dead} s): a slow replica times out as dead before it can show as sick`,
    });
  }
  const seen = new Map<string, string>();
  for (const [serviceIndex, service] of config.probe.service.entries()) {
    for (const [nodeIndex, node] of service.node.entries()) {
      const at: KeyPath = ['probe', 'service', serviceIndex, 'node', nodeIndex];
      // Both would report into the same node of the server, mixing their replicas.
      const key = JSON.stringify([service.id, node.id]);
      const first = seen.get(key);
      if (first) {
        result.warnings.push({
          path: [...at, 'id'],
          message: `same service and node ids as ${first}: both report their replicas into one node of the server`,
        });
      } else seen.set(key, `probe.service[${serviceIndex}].node[${nodeIndex}]`);
      checkNode(node, at, result);
    }
  }
  return result;
}

function checkNode(node: LocalNodeConfig, at: KeyPath, result: ValidationResult): void {
  const other = node.mode === 'poll' ? 'scripts' : 'replicas';
  if (node[other] !== undefined) {
    result.warnings.push({
      path: [...at, other],
      message: `ignored: the node's mode is "${node.mode}" (Vigil Local ignores it too)`,
    });
  }
  const entries = node.mode === 'poll' ? node.replicas : node.scripts;
  if (!entries?.length) {
    const what = node.mode === 'poll' ? 'replicas' : 'scripts';
    result.warnings.push({
      path: at,
      message: `${node.mode} node has no ${what}: nothing is reported for it`,
    });
  }
  if (node.mode !== 'poll') return;
  for (const [index, raw] of (node.replicas ?? []).entries()) {
    const parsed = parseLocalReplicaUrl(raw);
    if (!parsed.ok) result.errors.push({ path: [...at, 'replicas', index], message: parsed.error });
  }
}
