import type { NodeExemption } from '../maintenance/types.js';
import { type Health, worst } from '../model/health.js';
import type { HealthModel } from '../model/health-model.js';
import type { NodeView, ReplicaView } from '../model/views.js';
import type { ScopeFilter } from './channel-options.js';

/** The part of the page one watcher judges: its status and its dead and sick replicas. */
export interface ScopeView {
  status: Health;
  dead: string[];
  sick: string[];
  /** Why each dead or sick replica is, where the model knows; built on demand, for alerts only. */
  reasons(): Record<string, string>;
}

/**
 * A set of nodes of the model: the whole page, or the services and nodes a channel filters on.
 * Status is the worst node status, read from nodes because a node changes before its service and
 * the page do: this gives the right answer from inside a `node-changed` listener. An exempt node
 * counts as healthy while it is exempt.
 */
export class Scope {
  private readonly nodes: NodeView[];

  constructor(
    model: HealthModel,
    filter?: ScopeFilter,
    private readonly exempt: NodeExemption = () => false,
  ) {
    const services = new Set(filter?.services);
    const nodes = new Set(filter?.nodes);
    this.nodes = [...model.services.values()].flatMap((service) =>
      [...service.nodes.values()].filter(
        (node) =>
          !filter || services.has(node.spec.serviceId) || nodes.has(`${node.spec.serviceId}:${node.spec.id}`),
      ),
    );
  }

  /** References of a filter that match nothing in the model, for a startup warning. */
  static unknownReferences(model: HealthModel, filter: ScopeFilter): string[] {
    const unknownServices = filter.services.filter((id) => !model.services.has(id));
    const unknownNodes = filter.nodes.filter((reference) => {
      const colon = reference.indexOf(':');
      return !model.node(reference.slice(0, colon), reference.slice(colon + 1));
    });
    return [...unknownServices, ...unknownNodes];
  }

  get status(): Health {
    return worst(this.watched().map((node) => node.health));
  }

  view(): ScopeView {
    const dead: string[] = [];
    const sick: string[] = [];
    // Every model change is viewed, few become alerts: keep the replicas, read reasons on demand.
    const failing: Array<[string, ReplicaView]> = [];
    const nodes = this.watched();
    for (const node of nodes) {
      for (const replica of node.replicas.values()) {
        if (replica.health === 'healthy') continue;
        const path = `${node.spec.serviceId}:${node.spec.id}:${replica.id}`;
        (replica.health === 'dead' ? dead : sick).push(path);
        failing.push([path, replica]);
      }
    }
    const reasons = () =>
      Object.fromEntries(
        failing.flatMap(([path, { reason }]) => (reason === undefined ? [] : [[path, reason] as const])),
      );
    return { status: worst(nodes.map((node) => node.health)), dead, sick, reasons };
  }

  /** The nodes that count now. */
  private watched(): NodeView[] {
    return this.nodes.filter((node) => !this.exempt(node.spec.serviceId, node.spec.id));
  }
}
