import type { Health } from './health.js';
import type { HealthModel } from './health-model.js';

/** The `/status/report` document (spec §2.3): statuses only, no replica ids. */
export interface StatusReport {
  health: Health;
  page: { name: string; url: string };
  probes: Array<{
    name: string;
    status: Health;
    nodes: Array<{ name: string; status: Health; replicas: Health[] }>;
  }>;
}

export function buildStatusReport(model: HealthModel, page: { title: string; url: string }): StatusReport {
  return {
    health: model.pageHealth,
    page: { name: page.title, url: new URL(page.url).href },
    probes: Array.from(model.services.values(), (service) => ({
      name: service.spec.label,
      status: service.health,
      nodes: Array.from(service.nodes.values(), (node) => ({
        name: node.spec.label,
        status: node.health,
        replicas: Array.from(node.replicas.values(), (replica) => replica.health),
      })),
    })),
  };
}
