import { Histogram, type Registry } from 'prom-client';
import type { HealthModel } from '../model/health-model.js';

/**
 * Every poll and script check's duration, observed as results arrive (push and local reports have
 * none). Complements the per-replica last-latency gauge with distributions for SLOs and alerts.
 */
export function observeProbeDurations(registry: Registry, model: HealthModel): void {
  const histogram = new Histogram({
    name: 'vigil_probe_duration_seconds',
    help: 'Duration of poll and script checks, by service and node',
    labelNames: ['service', 'node'],
    // Up to poll_delay_dead's default (10 s), where checks time out.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  model.events.on('replica-observed', ({ serviceId, nodeId, latencyMs }) => {
    if (latencyMs !== undefined) histogram.observe({ service: serviceId, node: nodeId }, latencyMs / 1000);
  });
}
