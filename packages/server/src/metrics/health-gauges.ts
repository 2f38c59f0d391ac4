import { Gauge, type Registry } from 'prom-client';
import type { Health } from '../model/health.js';
import type { HealthModel } from '../model/health-model.js';

/**
 * Status as a number so that Prometheus' `max()` is Vigil's "worst wins" and alert rules read
 * `>= 2`: healthy 0, sick 1, dead 2.
 */
export const HEALTH_VALUE: Record<Health, number> = { healthy: 0, sick: 1, dead: 2 };
const STATUS_HELP = '(0 = healthy, 1 = sick, 2 = dead)';

/**
 * Gauges read from the model at scrape time, so a scrape always agrees with `/status/report` and
 * flushed replicas disappear from it. Each collect rebuilds its series from scratch.
 */
export function registerHealthGauges(registry: Registry, model: HealthModel): void {
  const registers = [registry];
  new Gauge({
    name: 'vigil_page_status',
    help: `Global status of the page ${STATUS_HELP}`,
    registers,
    collect() {
      this.set(HEALTH_VALUE[model.pageHealth]);
    },
  });
  new Gauge({
    name: 'vigil_service_status',
    help: `Status of each service ${STATUS_HELP}`,
    labelNames: ['service'],
    registers,
    collect() {
      this.reset();
      for (const service of model.services.values()) {
        this.set({ service: service.spec.id }, HEALTH_VALUE[service.health]);
      }
    },
  });
  new Gauge({
    name: 'vigil_node_status',
    help: `Status of each node ${STATUS_HELP}`,
    labelNames: ['service', 'node'],
    registers,
    collect() {
      this.reset();
      for (const service of model.services.values()) {
        for (const node of service.nodes.values()) {
          this.set({ service: service.spec.id, node: node.spec.id }, HEALTH_VALUE[node.health]);
        }
      }
    },
  });
  new Gauge({
    name: 'vigil_replica_status',
    help: `Status of each replica ${STATUS_HELP}`,
    labelNames: ['service', 'node', 'replica'],
    registers,
    collect() {
      this.reset();
      for (const [labels, replica] of replicas(model)) this.set(labels, HEALTH_VALUE[replica.health]);
    },
  });
  new Gauge({
    name: 'vigil_replica_latency_seconds',
    help: 'Duration of the last poll or script check of each replica (absent before its first check)',
    labelNames: ['service', 'node', 'replica'],
    registers,
    collect() {
      this.reset();
      for (const [labels, replica] of replicas(model)) {
        if (replica.latencyMs !== undefined) this.set(labels, replica.latencyMs / 1000);
      }
    },
  });
  new Gauge({
    name: 'vigil_rabbitmq_queue_messages',
    help: 'Messages in the RabbitMQ queue of each push node at its last check (absent when unknown)',
    labelNames: ['service', 'node', 'state'],
    registers,
    collect() {
      this.reset();
      for (const service of model.services.values()) {
        for (const node of service.nodes.values()) {
          // Every replica of a node carries the same verdict: the first one with counts speaks for it.
          const queue = Array.from(node.replicas.values()).find(
            (replica) => replica.queue?.ready !== undefined,
          )?.queue;
          if (queue?.ready === undefined || queue.nack === undefined) continue;
          const labels = { service: service.spec.id, node: node.spec.id };
          this.set({ ...labels, state: 'ready' }, queue.ready);
          this.set({ ...labels, state: 'unacknowledged' }, queue.nack);
        }
      }
    },
  });
}

function* replicas(model: HealthModel) {
  for (const service of model.services.values()) {
    for (const node of service.nodes.values()) {
      for (const replica of node.replicas.values()) {
        yield [{ service: service.spec.id, node: node.spec.id, replica: replica.id }, replica] as const;
      }
    }
  }
}
