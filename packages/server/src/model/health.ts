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

/**
 * How many members of a level (replicas of a node, nodes of a service, services of the page) are in
 * each state, kept up to date on every change so that a level's health costs O(1), however large.
 */
export class HealthCounts {
  // Three fields rather than a record keyed by state: one object per node, not two.
  private healthy = 0;
  private sick = 0;
  private dead = 0;

  /** The worst state present; healthy when there is none, as `worst` says. */
  get worst(): Health {
    if (this.dead > 0) return 'dead';
    return this.sick > 0 ? 'sick' : 'healthy';
  }

  get total(): number {
    return this.healthy + this.sick + this.dead;
  }

  of(state: Health): number {
    return this[state];
  }

  add(state: Health, count = 1): void {
    this[state] += count;
  }

  remove(state: Health): void {
    this[state] -= 1;
  }

  move(from: Health, to: Health): void {
    this.remove(from);
    this.add(to);
  }
}
