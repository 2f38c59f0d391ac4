import type { NodeRef } from '../../incidents/types.js';
import type { HealthModel } from '../../model/health-model.js';

/** A node as the manager API names it, `service:node`, split at the first colon (node ids may hold more). */
export function nodeReference(reference: string): NodeRef | undefined {
  const colon = reference.indexOf(':');
  return colon < 0 ? undefined : { serviceId: reference.slice(0, colon), nodeId: reference.slice(colon + 1) };
}

/**
 * Why the services and `service:node` references a body names are not all configured now, naming
 * the first unknown one; undefined when they are. A typo must be refused, not published.
 */
export function unknownTargetProblem(
  model: Pick<HealthModel, 'services' | 'node'>,
  services: readonly string[],
  nodes: readonly string[],
): string | undefined {
  const unknownService = services.findIndex((id) => !model.services.has(id));
  if (unknownService >= 0) return `body/services/${unknownService} is not a configured service`;
  const unknownNode = nodes.findIndex((reference) => {
    const node = nodeReference(reference);
    return !node || !model.node(node.serviceId, node.nodeId);
  });
  if (unknownNode >= 0) return `body/nodes/${unknownNode} is not a configured node, written as service:node`;
  return undefined;
}
