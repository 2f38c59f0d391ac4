/**
 * Compile-time guard, checked by `npm run typecheck` (never run): consumers read the health model
 * through views and cannot change its state. Each write below must stay a type error; if one ever
 * compiles, its `@ts-expect-error` is unused and the typecheck fails.
 */
import type { HealthModel } from '../../src/model/health-model.js';
import type { ReplicaRef } from '../../src/model/observation.js';

export function attemptedWrites(model: HealthModel, ref: ReplicaRef): void {
  // @ts-expect-error the service map is read-only
  model.services.delete(ref.serviceId);
  // @ts-expect-error the page health is computed, not set
  model.pageHealth = 'dead';
  // @ts-expect-error the page's counts are read-only
  model.pageCounts.add('dead');
  // @ts-expect-error the model's own state is private
  model.serviceStates.clear();

  const service = model.service(ref.serviceId);
  if (!service) return;
  // @ts-expect-error a service's health is the model's to set
  service.health = 'dead';
  // @ts-expect-error a service's nodes are read-only
  service.nodes.clear();
  // @ts-expect-error the topology is read-only
  service.spec.label = 'renamed';

  const node = model.node(ref.serviceId, ref.nodeId);
  if (!node) return;
  // @ts-expect-error a node's health is the model's to set
  node.health = 'sick';
  // @ts-expect-error a node's replicas are read-only
  node.replicas.delete(ref.replicaId);
  // @ts-expect-error a node's counts are read-only
  node.counts.move('healthy', 'dead');
  // @ts-expect-error the configured replicas are read-only
  node.spec.replicas.pop();

  const replica = model.replica(ref);
  if (!replica) return;
  // @ts-expect-error a replica's health changes only through apply()
  replica.health = 'dead';
  // @ts-expect-error its reason too
  replica.reason = 'edited';
  // @ts-expect-error its check time too
  replica.checkedAtMs = 0;
  if (replica.load) {
    // @ts-expect-error the load it reported is read-only
    replica.load.cpu = 1;
  }
  if (replica.report) {
    // @ts-expect-error the report it sent is read-only
    replica.report.atMs = 0;
  }
  if (replica.queue) {
    // @ts-expect-error the queue verdict is read-only
    replica.queue.stalled = true;
  }

  // @ts-expect-error the old entry points are gone: sources go through apply()
  model.observeProbe(ref, { health: 'dead', latencyMs: 1 });
}
