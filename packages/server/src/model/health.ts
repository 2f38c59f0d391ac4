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
  private readonly byState: Record<Health, number> = { healthy: 0, sick: 0, dead: 0 };

  /** The worst state present; healthy when there is none, as `worst` says. */
  get worst(): Health {
    if (this.byState.dead > 0) return 'dead';
    return this.byState.sick > 0 ? 'sick' : 'healthy';
  }

  get total(): number {
    return this.byState.healthy + this.byState.sick + this.byState.dead;
  }

  of(state: Health): number {
    return this.byState[state];
  }

  add(state: Health): void {
    this.byState[state] += 1;
  }

  remove(state: Health): void {
    this.byState[state] -= 1;
  }

  move(from: Health, to: Health): void {
    this.remove(from);
    this.add(to);
  }
}
