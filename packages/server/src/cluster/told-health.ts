import type { Health } from '../model/health.js';
import type { ObservationOf } from '../model/observation.js';

/**
 * What this member last told the others of each replica it probes: its health and reason. A probe
 * result that changes them is news, shared at once; one that repeats them only feeds the others'
 * latencies and freshness, and goes in bulk. Maps nested by service and node, keyed by the ids the
 * results already hold, so remembering a replica builds no string.
 */
export class ToldHealth {
  private readonly told = new Map<string, Map<string, Map<string, { health: Health; reason?: string }>>>();

  /** Whether the result changes what this member last told of its replica; remembers it either way. */
  isNews(observation: ObservationOf<'probe'>): boolean {
    const { serviceId, nodeId, replicaId } = observation.subject;
    let nodes = this.told.get(serviceId);
    if (!nodes) {
      nodes = new Map();
      this.told.set(serviceId, nodes);
    }
    let replicas = nodes.get(nodeId);
    if (!replicas) {
      replicas = new Map();
      nodes.set(nodeId, replicas);
    }
    const last = replicas.get(replicaId);
    if (last && last.health === observation.health && last.reason === observation.reason) return false;
    replicas.set(replicaId, { health: observation.health, reason: observation.reason });
    return true;
  }

  /**
   * Forgets everything told: after a change of share, a replica's next result is news whatever it
   * says (this member may take it over from one that told something else).
   */
  clear(): void {
    this.told.clear();
  }
}
