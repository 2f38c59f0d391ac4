import type { HealthModel } from '../model/health-model.js';
import type { ReplicaView } from '../model/views.js';

/**
 * Calls `onSettled` once every poll and script replica configured at boot has been checked once,
 * i.e. the first poll and script rounds are done and the page no longer shows boot's all-healthy.
 * Returns a function that cancels the wait.
 */
export function whenFirstChecked(model: HealthModel, onSettled: () => void): () => void {
  const replicas: ReplicaView[] = [];
  for (const service of model.services.values()) {
    for (const node of service.nodes.values()) {
      if (node.spec.mode === 'poll' || node.spec.mode === 'script') replicas.push(...node.replicas.values());
    }
  }
  // Rounds run in config order, so a cursor over that order keeps each check cheap.
  let cursor = 0;
  let unsubscribe = () => {};
  const check = () => {
    while (replicas[cursor]?.checkedAtMs !== undefined) cursor += 1;
    if (cursor < replicas.length) return;
    unsubscribe();
    onSettled();
  };
  unsubscribe = model.events.on('updated', check);
  check();
  return unsubscribe;
}
