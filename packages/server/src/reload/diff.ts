import { isDeepStrictEqual } from 'node:util';
import type { NotifyConfig } from '../config/schema.js';
import type { NodeSpec, ReplicaSpec, Topology } from '../model/topology.js';
import { CHANNEL_DEFINITIONS, isChannelName } from '../notify/registry.js';
import { targetTables } from '../notify/targets.js';
import type { Settings } from '../settings/settings.js';

/** What a reload adds, removes and changes in one kind of thing, by id. */
export interface Changes {
  added: string[];
  removed: string[];
  changed: string[];
}

/** Everything that differs between the running settings and a reloaded file's. */
export interface SettingsDiff {
  services: Changes;
  /** `service:node` */
  nodes: Changes;
  /** Configured (poll, script) replicas as `service:node:replica` (ids carry redacted URLs). */
  replicas: Changes;
  /** `[notify.<channel>]` tables and `[[notify.<channel>]]` entries by target id (`slack`, `slack#ops`). */
  channels: Changes;
  /** Changed `[notify]` keys other than the channel tables. */
  notify: string[];
  branding: string[];
  metrics: string[];
  /** Changed keys that only a restart applies (`server.inet`, `storage.path`, …); they keep their old value. */
  restartNeeded: string[];
}

/** Compares two settings; keys are listed in config order. */
export function diffSettings(current: Settings, next: Settings): SettingsDiff {
  const { services, nodes, replicas } = diffTopology(current.topology, next.topology);
  const currentNotify: Partial<NotifyConfig> = current.notify ?? {};
  const nextNotify: Partial<NotifyConfig> = next.notify ?? {};
  const tablesById = (notify: Partial<NotifyConfig>) =>
    new Map(targetTables(notify, CHANNEL_DEFINITIONS).map(({ id, table }) => [id, table]));
  const channels = diffById(tablesById(currentNotify), tablesById(nextNotify));
  const notifyKeys = changedKeys(currentNotify, nextNotify).filter((key) => !isChannelName(key));
  const restartNeeded = [
    ...changedKeys(current.server, next.server).map((key) => `server.${key}`),
    ...changedKeys(current.storage, next.storage).map((key) => `storage.${key}`),
    ...changedKeys(current.prometheus, next.prometheus).map((key) => `prometheus.${key}`),
    ...changedKeys(current.subscriptions, next.subscriptions).map((key) => `subscriptions.${key}`),
    ...(isDeepStrictEqual(current.rabbitmq, next.rabbitmq) ? [] : ['plugins.rabbitmq']),
    ...(isDeepStrictEqual(current.cluster, next.cluster) ? [] : ['cluster']),
  ];
  return {
    services,
    nodes,
    replicas,
    channels,
    notify: notifyKeys,
    branding: changedKeys(current.branding, next.branding),
    metrics: changedKeys(current.metrics, next.metrics),
    restartNeeded,
  };
}

/** Whether a reload changes nothing at all. */
export function isEmptyDiff(diff: SettingsDiff): boolean {
  return Object.values(diff).every((part: Changes | string[]) =>
    Array.isArray(part) ? part.length === 0 : Object.values(part).every((ids) => ids.length === 0),
  );
}

/** One log line per kind of change, e.g. `services: added cache; changed web`. */
export function describeDiff(diff: SettingsDiff): string[] {
  const lines: string[] = [];
  const changes = (name: string, { added, removed, changed }: Changes) => {
    const parts = [
      added.length > 0 && `added ${listed(added)}`,
      removed.length > 0 && `removed ${listed(removed)}`,
      changed.length > 0 && `changed ${listed(changed)}`,
    ].filter((part) => part !== false);
    if (parts.length > 0) lines.push(`${name}: ${parts.join('; ')}`);
  };
  const keys = (name: string, changed: string[]) => {
    if (changed.length > 0) lines.push(`${name}: changed ${changed.join(', ')}`);
  };
  changes('services', diff.services);
  changes('nodes', diff.nodes);
  changes('replicas', diff.replicas);
  changes('notify channels', diff.channels);
  keys('notify', diff.notify);
  keys('branding', diff.branding);
  keys('metrics', diff.metrics);
  return lines;
}

/** Ids shown in one log line: a metrics change can touch every replica of a large config. */
const LISTED_IDS = 20;

function listed(ids: string[]): string {
  const shown = ids.slice(0, LISTED_IDS).join(', ');
  return ids.length > LISTED_IDS ? `${shown} and ${ids.length - LISTED_IDS} more` : shown;
}

function diffTopology(current: Topology, next: Topology) {
  const services = diffById(
    new Map(current.services.map((service) => [service.id, service.label])),
    new Map(next.services.map((service) => [service.id, service.label])),
  );
  const nodesOf = (topology: Topology) =>
    new Map(
      topology.services.flatMap((service) =>
        service.nodes.map((node) => [`${service.id}:${node.id}`, withoutReplicas(node)] as const),
      ),
    );
  const replicasOf = (topology: Topology) =>
    new Map(
      topology.services.flatMap((service) =>
        service.nodes.flatMap((node) =>
          node.replicas.map((replica) => [`${service.id}:${node.id}:${replica.id}`, replica] as const),
        ),
      ),
    );
  return {
    services,
    nodes: diffById(nodesOf(current), nodesOf(next)),
    replicas: diffById<ReplicaSpec>(replicasOf(current), replicasOf(next)),
  };
}

function withoutReplicas({ replicas: _replicas, ...node }: NodeSpec): Omit<NodeSpec, 'replicas'> {
  return node;
}

function diffById<T>(current: ReadonlyMap<string, T>, next: ReadonlyMap<string, T>): Changes {
  return {
    added: [...next.keys()].filter((id) => !current.has(id)),
    removed: [...current.keys()].filter((id) => !next.has(id)),
    changed: [...next].flatMap(([id, value]) =>
      current.has(id) && !isDeepStrictEqual(current.get(id), value) ? [id] : [],
    ),
  };
}

function changedKeys<T extends object>(current: T, next: T): string[] {
  const keys = new Set([...Object.keys(current), ...Object.keys(next)]);
  return [...keys].filter((key) => !isDeepStrictEqual(current[key as keyof T], next[key as keyof T]));
}
