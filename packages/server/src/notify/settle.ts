import type { HealthModel } from '../model/health-model.js';
import type { NodeView } from '../model/views.js';

/**
 * Calls `onSettled` once every poll and script replica configured at boot has been checked once,
 * i.e. the first poll and script rounds are done and the page no longer shows boot's all-healthy.
 * Returns a function that cancels the wait.
 */
export function whenFirstChecked(model: HealthModel, onSettled: () => void): () => void {
  // Each replica by its node and id, read afresh at each check (a view is read, not kept); two
  // lists rather than an object per replica, emptied once settled.
  const nodes: NodeView[] = [];
  const ids: string[] = [];
  for (const service of model.services.values()) {
    for (const node of service.nodes.values()) {
      if (node.spec.mode !== 'poll' && node.spec.mode !== 'script') continue;
      for (const id of node.replicas.keys()) {
        nodes.push(node);
        ids.push(id);
      }
    }
  }
  // Rounds run in config order, so a cursor over that order keeps each check cheap. A replica a
  // reload removed waits for nothing.
  const settled = (at: number) => {
    const view = nodes[at]?.replicas.get(ids[at] ?? '');
    return view === undefined || view.checkedAtMs !== undefined;
  };
  let cursor = 0;
  let unsubscribe = () => {};
  const check = () => {
    while (cursor < ids.length && settled(cursor)) cursor += 1;
    if (cursor < ids.length) return;
    unsubscribe();
    nodes.length = 0;
    ids.length = 0;
    onSettled();
  };
  unsubscribe = model.events.on('updated', check);
  check();
  return unsubscribe;
}
