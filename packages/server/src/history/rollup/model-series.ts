import type { NodeExemption } from '../../maintenance/types.js';
import type { Health } from '../../model/health.js';
import type { HealthModel, ReplicaRef } from '../../model/health-model.js';
import type { SeriesKey } from '../../store/types.js';
import type { RollupAggregator } from './aggregator.js';
import type { SeriesState } from './summary.js';

/** A node's series and its replicas' (numbers in the aggregator's table). */
interface NodeSeries {
  node: number;
  replicas: Map<string, number>;
}

/**
 * The history series of one model: page, services, nodes and replicas, each fed by the model's
 * events. Lookups are nested maps of series numbers, so the reporter's hot path builds no strings.
 */
export class ModelSeries {
  private readonly page: number;
  private readonly services = new Map<string, { service: number; nodes: Map<string, NodeSeries> }>();

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
      const nodes = new Map<string, NodeSeries>();
      for (const node of service.nodes.values()) {
        const nodeId = node.spec.id;
        const replicas = new Map<string, number>();
        for (const replica of node.replicas.values()) {
          const key = seriesKey('replica', serviceId, nodeId, replica.id);
          replicas.set(replica.id, aggregator.track(key, replica.health, nowMs));
        }
        nodes.set(nodeId, {
          node: aggregator.track(
            seriesKey('node', serviceId, nodeId),
            this.nodeState(serviceId, nodeId, node.health),
            nowMs,
          ),
          replicas,
        });
      }
      this.services.set(serviceId, {
        service: aggregator.track(seriesKey('service', serviceId), service.health, nowMs),
        nodes,
      });
    }
  }

  /** The series' number in the aggregator, while it is tracked. */
  indexOf(key: SeriesKey): number | undefined {
    if (key.kind === 'page') return this.page;
    const service = this.services.get(key.serviceId);
    if (key.kind === 'service') return service?.service;
    const node = service?.nodes.get(key.nodeId);
    return key.kind === 'node' ? node?.node : node?.replicas.get(key.replicaId);
  }

  /** A probe result or report: counts its latency for the replica, its node and its service. */
  observed(ref: ReplicaRef, latencyMs: number | undefined, atMs: number): void {
    const service = this.services.get(ref.serviceId);
    const node = service?.nodes.get(ref.nodeId);
    const replica = node?.replicas.get(ref.replicaId);
    if (!service || !node || replica === undefined) return;
    this.aggregator.observe(replica, latencyMs, atMs);
    this.aggregator.observe(node.node, latencyMs, atMs);
    this.aggregator.observe(service.service, latencyMs, atMs);
  }

  /** A replica's state changed; `undefined` once it is flushed (its time no longer counts). */
  replicaChanged(ref: ReplicaRef, health: Health | undefined, atMs: number): void {
    const node = this.services.get(ref.serviceId)?.nodes.get(ref.nodeId);
    if (!node) return;
    const existing = node.replicas.get(ref.replicaId);
    if (existing !== undefined) {
      this.aggregator.setHealth(existing, health, atMs);
      return;
    }
    if (health === undefined) return;
    const key = seriesKey('replica', ref.serviceId, ref.nodeId, ref.replicaId);
    node.replicas.set(ref.replicaId, this.aggregator.track(key, health, atMs));
  }

  /** Lets go of replicas flushed long enough ago that they have nothing left to write. */
  forgetFinished(): void {
    for (const service of this.services.values()) {
      for (const node of service.nodes.values()) {
        for (const [replicaId, replica] of node.replicas) {
          if (!this.aggregator.isFinished(replica)) continue;
          node.replicas.delete(replicaId);
          this.aggregator.untrack(replica);
        }
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
      for (const [nodeId, node] of entry.nodes) {
        const current = service?.nodes.get(nodeId);
        if (current) continue;
        aggregator.setHealth(node.node, undefined, atMs);
        for (const replica of node.replicas.values()) aggregator.setHealth(replica, undefined, atMs);
      }
    }
    for (const service of model.services.values()) {
      const serviceId = service.spec.id;
      let entry = this.services.get(serviceId);
      if (!entry) {
        entry = {
          service: aggregator.track(seriesKey('service', serviceId), service.health, atMs),
          nodes: new Map(),
        };
        this.services.set(serviceId, entry);
      } else aggregator.setHealth(entry.service, service.health, atMs);
      for (const node of service.nodes.values()) {
        const nodeId = node.spec.id;
        const series = entry.nodes.get(nodeId);
        const state = this.nodeState(serviceId, nodeId, node.health);
        if (series) aggregator.setHealth(series.node, state, atMs);
        else {
          const key = seriesKey('node', serviceId, nodeId);
          entry.nodes.set(nodeId, { node: aggregator.track(key, state, atMs), replicas: new Map() });
        }
      }
    }
  }

  nodeChanged(serviceId: string, nodeId: string, health: Health, atMs: number): void {
    const node = this.services.get(serviceId)?.nodes.get(nodeId);
    if (node) this.aggregator.setHealth(node.node, this.nodeState(serviceId, nodeId, health), atMs);
  }

  /** A maintenance window started or ended: each node's time counts as its state from now on. */
  exemptionsChanged(model: HealthModel, atMs: number): void {
    for (const service of model.services.values()) {
      for (const node of service.nodes.values())
        this.nodeChanged(service.spec.id, node.spec.id, node.health, atMs);
    }
  }

  private nodeState(serviceId: string, nodeId: string, health: Health): SeriesState {
    return this.exempt(serviceId, nodeId) ? 'maintenance' : health;
  }

  serviceChanged(serviceId: string, health: Health, atMs: number): void {
    const service = this.services.get(serviceId);
    if (service) this.aggregator.setHealth(service.service, health, atMs);
  }

  pageChanged(health: Health, atMs: number): void {
    this.aggregator.setHealth(this.page, health, atMs);
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
