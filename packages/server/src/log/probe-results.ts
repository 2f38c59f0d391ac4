import type { Logger } from 'pino';
import type { HealthModel } from '../model/health-model.js';

/**
 * At debug level, one line per poll or script result as the model takes it in, e.g.
 * `probed web:api:https://***@api.example.com/health: sick (1250 ms, slow)` (replica ids come with
 * their secrets masked); vigil-local words its own the same way. Push and local reports are logged where they arrive, by the reporter API.
 */
export function logProbeResults(model: HealthModel, logger: Logger): () => void {
  return model.events.on('replica-observed', (event) => {
    if (!logger.isLevelEnabled('debug')) return;
    const node = model.node(event.serviceId, event.nodeId);
    if (node?.spec.mode !== 'poll' && node?.spec.mode !== 'script') return;
    const reason = node.replicas.get(event.replicaId)?.reason;
    const path = `${event.serviceId}:${event.nodeId}:${event.replicaId}`;
    logger.debug(
      { replica: path, health: event.health, latencyMs: event.latencyMs },
      `probed ${path}: ${event.health} (${event.latencyMs} ms${reason ? `, ${reason}` : ''})`,
    );
  });
}
