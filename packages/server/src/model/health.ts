/** The three states Vigil knows, mildest first. */
export const HEALTH_STATES = ['healthy', 'sick', 'dead'] as const;
export type Health = (typeof HEALTH_STATES)[number];

const SEVERITY: Record<Health, number> = { healthy: 0, sick: 1, dead: 2 };

/** The more severe of two states: dead beats sick beats healthy. */
export function worse(a: Health, b: Health): Health {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

/** The worst state of a list; an empty list is healthy, as Vigil treats a node with no replicas. */
export function worst(states: Iterable<Health>): Health {
  let result: Health = 'healthy';
  for (const state of states) {
    result = worse(result, state);
    if (result === 'dead') break;
  }
  return result;
}
