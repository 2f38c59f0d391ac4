import type { NodeExemption } from '../../maintenance/types.js';
import type { Health } from '../../model/health.js';
import type { HealthModel, ReplicaRef } from '../../model/health-model.js';
import type { SeriesKey } from '../../store/types.js';
import type { RollupAggregator } from './aggregator.js';
import type { SeriesState } from './summary.js';

/**
 * A service's series and its nodes' and replicas' (numbers in the aggregator's table). Replicas are
 * found by id in one map per service, not one per node (a node's map and its holder cost ~220
 * bytes with one entry, ~300 with five; one entry of a large map ~30–45); their node is the
 * table's. A replica id that two nodes of a service share is rare: the later ones wait in
 * `repeated`, by node.
 */
interface ServiceSeries {
  service: number;
  nodes: Map<string, number>;
  replicas: Map<string, number>;
  repeated: Map<string, Map<string, number>>;
}

/**
 * The history series of one model: page, services, nodes and replicas, each fed by the model's
 * events. Lookups are maps of series numbers, so the reporter's hot path builds no strings.
 */
export class ModelSeries {
  private readonly page: number;
  private readonly services = new Map<string, ServiceSeries>();

  constructor(
    private readonly aggregator: RollupAggregator,
    model: HealthModel,
    nowMs: number,
    /** Nodes under maintenance: their time counts as maintenance, whatever their health. */
    private readonly exempt: NodeExemption = () => false,
  ) {
    aggregator.reserve(seriesCount(model));
    this.page = aggregator.track(seriesKey('page'), model.pageHealth, nowMs);
    for (const service of model.services.values()) {
      const serviceId = service.spec.id;
      const entry = this.trackService(serviceId, service.health, nowMs);
      for (const node of service.nodes.values()) {
        const nodeId = node.spec.id;
        for (const replica of node.replicas.values()) {
          const key = seriesKey('replica', serviceId, nodeId, replica.id);
          this.addReplica(entry, nodeId, replica.id, aggregator.track(key, replica.health, nowMs));
        }
        this.trackNode(entry, serviceId, nodeId, node.health, nowMs);
      }
    }
  }

  /** The series' number in the aggregator, while it is tracked. */
  indexOf(key: SeriesKey): number | undefined {
    if (key.kind === 'page') return this.page;
    const service = this.services.get(key.serviceId);
    if (!service) return undefined;
    if (key.kind === 'service') return service.service;
    if (key.kind === 'node') return service.nodes.get(key.nodeId);
    return this.replicaOf(service, key.nodeId, key.replicaId);
  }

  /** A probe result or report: counts its latency for the replica, its node and its service. */
  observed(ref: ReplicaRef, latencyMs: number | undefined, atMs: number): void {
    const service = this.services.get(ref.serviceId);
    if (!service) return;
    const node = service.nodes.get(ref.nodeId);
    const replica = this.replicaOf(service, ref.nodeId, ref.replicaId);
    if (node === undefined || replica === undefined) return;
    this.aggregator.observe(replica, latencyMs, atMs);
    this.aggregator.observe(node, latencyMs, atMs);
    this.aggregator.observe(service.service, latencyMs, atMs);
  }

  /** A replica's state changed; `undefined` once it is flushed (its time no longer counts). */
  replicaChanged(ref: ReplicaRef, health: Health | undefined, atMs: number): void {
    const service = this.services.get(ref.serviceId);
    if (!service?.nodes.has(ref.nodeId)) return;
    const existing = this.replicaOf(service, ref.nodeId, ref.replicaId);
    if (existing !== undefined) {
      this.aggregator.setHealth(existing, health, atMs);
      return;
    }
    if (health === undefined) return;
    const key = seriesKey('replica', ref.serviceId, ref.nodeId, ref.replicaId);
    this.addReplica(service, ref.nodeId, ref.replicaId, this.aggregator.track(key, health, atMs));
  }

  /** Lets go of replicas flushed long enough ago that they have nothing left to write. */
  forgetFinished(): void {
    for (const service of this.services.values()) {
      const finished: number[] = [];
      for (const replica of this.replicasOf(service))
        if (this.aggregator.isFinished(replica)) finished.push(replica);
      for (const replica of finished) {
        this.removeReplica(service, replica);
        this.aggregator.untrack(replica);
      }
    }
  }

  /**
   * After a reload: series start for new services, nodes and replicas; those the config dropped stop
   * counting time (their replicas are let go like flushed ones). Series that stay are untouched.
   */
  follow(model: HealthModel, atMs: number): void {
    const { aggregator } = this;
    for (const [serviceId, entry] of this.services) {
      const service = model.services.get(serviceId);
      if (!service) aggregator.setHealth(entry.service, undefined, atMs);
      const dropped = new Set<string>();
      for (const [nodeId, node] of entry.nodes) {
        if (service?.nodes.has(nodeId)) continue;
        dropped.add(nodeId);
        aggregator.setHealth(node, undefined, atMs);
      }
      if (dropped.size === 0) continue;
      for (const replica of this.replicasOf(entry))
        if (dropped.has(aggregator.nodeIdOf(replica))) aggregator.setHealth(replica, undefined, atMs);
    }
    for (const service of model.services.values()) {
      const serviceId = service.spec.id;
      let entry = this.services.get(serviceId);
      if (!entry) entry = this.trackService(serviceId, service.health, atMs);
      else aggregator.setHealth(entry.service, service.health, atMs);
      for (const node of service.nodes.values()) {
        const nodeId = node.spec.id;
        const series = entry.nodes.get(nodeId);
        if (series === undefined) this.trackNode(entry, serviceId, nodeId, node.health, atMs);
        else aggregator.setHealth(series, this.nodeState(serviceId, nodeId, node.health), atMs);
      }
    }
  }

  nodeChanged(serviceId: string, nodeId: string, health: Health, atMs: number): void {
    const node = this.services.get(serviceId)?.nodes.get(nodeId);
    if (node !== undefined) this.aggregator.setHealth(node, this.nodeState(serviceId, nodeId, health), atMs);
  }

  /** A maintenance window started or ended: each node's time counts as its state from now on. */
  exemptionsChanged(model: HealthModel, atMs: number): void {
    for (const service of model.services.values()) {
      for (const node of service.nodes.values())
        this.nodeChanged(service.spec.id, node.spec.id, node.health, atMs);
    }
  }

  serviceChanged(serviceId: string, health: Health, atMs: number): void {
    const service = this.services.get(serviceId);
    if (service) this.aggregator.setHealth(service.service, health, atMs);
  }

  pageChanged(health: Health, atMs: number): void {
    this.aggregator.setHealth(this.page, health, atMs);
  }

  private nodeState(serviceId: string, nodeId: string, health: Health): SeriesState {
    return this.exempt(serviceId, nodeId) ? 'maintenance' : health;
  }

  private trackService(serviceId: string, health: Health, atMs: number): ServiceSeries {
    const entry: ServiceSeries = {
      service: this.aggregator.track(seriesKey('service', serviceId), health, atMs),
      nodes: new Map(),
      replicas: new Map(),
      repeated: new Map(),
    };
    this.services.set(serviceId, entry);
    return entry;
  }

  private trackNode(
    entry: ServiceSeries,
    serviceId: string,
    nodeId: string,
    health: Health,
    atMs: number,
  ): void {
    const state = this.nodeState(serviceId, nodeId, health);
    entry.nodes.set(nodeId, this.aggregator.track(seriesKey('node', serviceId, nodeId), state, atMs));
  }

  private replicaOf(service: ServiceSeries, nodeId: string, replicaId: string): number | undefined {
    const first = service.replicas.get(replicaId);
    if (first !== undefined && this.aggregator.nodeIdOf(first) === nodeId) return first;
    return service.repeated.get(nodeId)?.get(replicaId);
  }

  private addReplica(service: ServiceSeries, nodeId: string, replicaId: string, series: number): void {
    if (!service.replicas.has(replicaId)) {
      service.replicas.set(replicaId, series);
      return;
    }
    let repeated = service.repeated.get(nodeId);
    if (!repeated) {
      repeated = new Map();
      service.repeated.set(nodeId, repeated);
    }
    repeated.set(replicaId, series);
  }

  /** Forgets a replica's number; another node's replica of the same id, if any, takes its place. */
  private removeReplica(service: ServiceSeries, series: number): void {
    const { replicaId } = this.aggregator.keyOf(series);
    const nodeId = this.aggregator.nodeIdOf(series);
    if (service.replicas.get(replicaId) !== series) {
      const repeated = service.repeated.get(nodeId);
      repeated?.delete(replicaId);
      if (repeated?.size === 0) service.repeated.delete(nodeId);
      return;
    }
    service.replicas.delete(replicaId);
    for (const [otherNodeId, repeated] of service.repeated) {
      const other = repeated.get(replicaId);
      if (other === undefined) continue;
      service.replicas.set(replicaId, other);
      repeated.delete(replicaId);
      if (repeated.size === 0) service.repeated.delete(otherNodeId);
      return;
    }
  }

  /** Every replica series of the service. */
  private *replicasOf(service: ServiceSeries): Generator<number> {
    yield* service.replicas.values();
    for (const repeated of service.repeated.values()) yield* repeated.values();
  }
}

/** The page's series, and each service's, node's and replica's. */
function seriesCount(model: HealthModel): number {
  let count = 1;
  for (const service of model.services.values()) {
    count += 1;
    for (const node of service.nodes.values()) count += 1 + node.replicas.size;
  }
  return count;
}

export function seriesKey(kind: SeriesKey['kind'], serviceId = '', nodeId = '', replicaId = ''): SeriesKey {
  return { kind, serviceId, nodeId, replicaId };
}
