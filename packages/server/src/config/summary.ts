import { PROBE_KINDS } from '../probes/registry.js';
import { parseReplicaUrl } from '../probes/replica-url.js';
import { NODE_MODES, type RawConfig } from './schema.js';

/** Replica counts are listed in the registry's order of kinds. */
const REPLICA_KINDS = PROBE_KINDS.map((definition) => definition.kind);

/**
 * One line for the startup log, e.g. `4 services, 10 nodes (6 poll, 1 push, 2 local, 1 script),
 * 10 replicas (2 icmp, 4 tcp, 1 ssh, 2 http, 1 script) configured; push and local replicas appear
 * when they report`.
 */
export function summarizeConfig(config: RawConfig): string {
  const nodes = config.probe.service.flatMap((service) => service.node);
  const nodesByMode = new Map<string, number>();
  const replicasByKind = new Map<string, number>();
  const add = (counts: Map<string, number>, key: string, amount = 1) =>
    counts.set(key, (counts.get(key) ?? 0) + amount);
  for (const node of nodes) {
    add(nodesByMode, node.mode);
    if (node.mode === 'script') add(replicasByKind, 'script', node.scripts?.length ?? 0);
    if (node.mode !== 'poll') continue;
    for (const url of new Set(node.replicas)) {
      const parsed = parseReplicaUrl(url);
      if (parsed.ok) add(replicasByKind, parsed.address.kind);
    }
  }
  const reporting = nodesByMode.has('push') || nodesByMode.has('local');
  return (
    `${count(config.probe.service.length, 'service')}, ` +
    `${count(nodes.length, 'node')}${breakdown(nodesByMode, NODE_MODES)}, ` +
    `${count(total(replicasByKind), 'replica')}${breakdown(replicasByKind, REPLICA_KINDS)} configured` +
    (reporting ? '; push and local replicas appear when they report' : '')
  );
}

/** The poll and script replicas the config lists (push and local ones come as they report). */
export function configuredReplicaCount(config: RawConfig): number {
  return config.probe.service
    .flatMap((service) => service.node)
    .reduce((sum, node) => sum + (node.replicas?.length ?? 0) + (node.scripts?.length ?? 0), 0);
}

function count(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}

function total(counts: Map<string, number>): number {
  return [...counts.values()].reduce((sum, amount) => sum + amount, 0);
}

/** ` (6 poll, 1 push)` in the given order, leaving out zeros; empty when nothing is counted. */
function breakdown(counts: Map<string, number>, order: readonly string[]): string {
  const parts = order.filter((key) => (counts.get(key) ?? 0) > 0).map((key) => `${counts.get(key)} ${key}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
