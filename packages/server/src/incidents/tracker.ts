import { randomUUID } from 'node:crypto';
import type { NodeExemption } from '../maintenance/types.js';
import type { Health } from '../model/health.js';
import type { HealthModel, ReplicaRef } from '../model/health-model.js';
import type { NodeView } from '../model/views.js';
import type { Incident } from '../store/types.js';

/** Bounds keep a long, flapping incident's record small. */
const MAX_REPLICAS = 100;
const MAX_REASONS = 50;

/**
 * Opens an incident when a node or the page leaves healthy, follows it (worst state, replicas that
 * failed, their reasons) and closes it when it is healthy again. Each change is handed to `save`.
 * A node under maintenance (`exempt`) opens none, nor does the page while its only failing nodes
 * are; one already open is followed as usual.
 */
export class IncidentTracker {
  private readonly open = new Map<string, Incident>();
  /** Incidents a previous run left open: closed once the model has settled and shows them healthy. */
  private readonly restored = new Set<Incident>();

  constructor(
    private readonly model: HealthModel,
    private readonly save: (incident: Incident) => void,
    private readonly newId: () => string = randomUUID,
    private readonly exempt: NodeExemption = () => false,
  ) {}

  /** Takes over open incidents; those of nodes no longer configured end at `atMs`. */
  restore(incidents: readonly Incident[], atMs: number): void {
    for (const incident of incidents) {
      if (incident.scope === 'node' && !this.model.node(incident.serviceId, incident.nodeId)) {
        this.save({ ...incident, endedAtMs: atMs });
        continue;
      }
      this.open.set(subjectKey(incident.serviceId, incident.nodeId), incident);
      this.restored.add(incident);
    }
  }

  /**
   * Becomes the one writer of a shared store (a cluster's new alert leader), having followed the
   * model meanwhile without saving: a stored open incident replaces this tracker's own for the same
   * subject, keeping its id and start and taking the failures seen here; a stored one for a subject
   * healthy here is followed like a restored one; this tracker's own that the store lacks are saved.
   */
  adopt(stored: readonly Incident[], atMs: number): void {
    const storedKeys = new Set<string>();
    for (const incident of stored) {
      const key = subjectKey(incident.serviceId, incident.nodeId);
      storedKeys.add(key);
      const own = this.open.get(key);
      if (!own) {
        this.restore([incident], atMs);
        continue;
      }
      if (own.worst === 'dead') incident.worst = 'dead';
      for (const replica of own.replicas) addFailure(incident, replica, undefined, atMs);
      for (const each of own.reasons) addFailure(incident, each.replica, each.reason, each.atMs);
      this.open.set(key, incident);
      this.restored.delete(own);
      this.save(incident);
    }
    for (const [key, incident] of this.open) if (!storedKeys.has(key)) this.save(incident);
  }

  replicaChanged(ref: ReplicaRef, current: Health, reason: string | undefined, atMs: number): void {
    if (current === 'healthy') return;
    const path = `${ref.serviceId}:${ref.nodeId}:${ref.replicaId}`;
    for (const key of [subjectKey(ref.serviceId, ref.nodeId), PAGE_KEY]) {
      const incident = this.open.get(key);
      if (incident && addFailure(incident, path, reason, atMs)) this.save(incident);
    }
  }

  nodeChanged(serviceId: string, nodeId: string, current: Health, atMs: number): void {
    const node = this.model.node(serviceId, nodeId);
    const key = subjectKey(serviceId, nodeId);
    if (current !== 'healthy' && !this.open.has(key) && this.exempt(serviceId, nodeId)) return;
    this.subjectChanged(key, current, atMs, () => ({
      scope: 'node',
      serviceId,
      nodeId,
      nodes: node ? [node] : [],
    }));
  }

  pageChanged(current: Health, atMs: number): void {
    if (current !== 'healthy' && !this.open.has(PAGE_KEY) && this.onlyExemptFail()) return;
    this.subjectChanged(PAGE_KEY, current, atMs, () => ({
      scope: 'page',
      serviceId: '',
      nodeId: '',
      nodes: [...this.model.services.values()].flatMap((service) => [...service.nodes.values()]),
    }));
  }

  /**
   * A maintenance window started or ended: every subject is judged again, so a node still failing
   * when its window ends opens its incident then.
   */
  exemptionsChanged(atMs: number): void {
    for (const service of this.model.services.values()) {
      for (const node of service.nodes.values())
        this.nodeChanged(service.spec.id, node.spec.id, node.health, atMs);
    }
    this.pageChanged(this.model.pageHealth, atMs);
  }

  /** Whether every node that is not healthy is exempt (under maintenance). */
  private onlyExemptFail(): boolean {
    for (const service of this.model.services.values()) {
      for (const node of service.nodes.values()) {
        if (node.health !== 'healthy' && !this.exempt(service.spec.id, node.spec.id)) return false;
      }
    }
    return true;
  }

  /**
   * Closes restored incidents whose subject is healthy once every replica under it has been checked
   * in this run (until then a poll replica shows the boot-time "healthy", not the truth).
   */
  reconcile(atMs: number): void {
    for (const incident of this.restored) {
      const nodes =
        incident.scope === 'page'
          ? [...this.model.services.values()].flatMap((service) => [...service.nodes.values()])
          : [this.model.node(incident.serviceId, incident.nodeId)].filter((node) => node !== undefined);
      const settled = nodes.every((node) =>
        [...node.replicas.values()].every((replica) => replica.checkedAtMs !== undefined),
      );
      if (!settled) continue;
      this.restored.delete(incident);
      const health = incident.scope === 'page' ? this.model.pageHealth : nodes[0]?.health;
      if (health === 'healthy') this.close(subjectKey(incident.serviceId, incident.nodeId), atMs);
    }
  }

  private subjectChanged(
    key: string,
    current: Health,
    atMs: number,
    subject: () => Pick<Incident, 'scope' | 'serviceId' | 'nodeId'> & { nodes: NodeView[] },
  ): void {
    if (current === 'healthy') {
      this.close(key, atMs);
      return;
    }
    const existing = this.open.get(key);
    if (existing) {
      if (current === 'dead' && existing.worst !== 'dead') {
        existing.worst = 'dead';
        this.save(existing);
      }
      return;
    }
    const { nodes, ...where } = subject();
    const incident: Incident = {
      id: this.newId(),
      ...where,
      startedAtMs: atMs,
      worst: current,
      replicas: [],
      reasons: [],
    };
    for (const node of nodes) {
      for (const replica of node.replicas.values()) {
        if (replica.health === 'healthy') continue;
        addFailure(
          incident,
          `${node.spec.serviceId}:${node.spec.id}:${replica.id}`,
          replica.reason,
          replica.sinceMs,
        );
      }
    }
    this.open.set(key, incident);
    this.save(incident);
  }

  private close(key: string, atMs: number): void {
    const incident = this.open.get(key);
    if (!incident) return;
    this.open.delete(key);
    this.restored.delete(incident);
    incident.endedAtMs = atMs;
    this.save(incident);
  }
}

const PAGE_KEY = subjectKey('', '');

function subjectKey(serviceId: string, nodeId: string): string {
  return JSON.stringify([serviceId, nodeId]);
}

/** Records a failing replica and its reason; false when it adds nothing new. */
function addFailure(incident: Incident, replica: string, reason: string | undefined, atMs: number): boolean {
  let added = false;
  if (!incident.replicas.includes(replica) && incident.replicas.length < MAX_REPLICAS) {
    incident.replicas.push(replica);
    added = true;
  }
  const known = incident.reasons.some((each) => each.replica === replica && each.reason === reason);
  if (reason && !known && incident.reasons.length < MAX_REASONS) {
    incident.reasons.push({ replica, reason, atMs });
    added = true;
  }
  return added;
}
