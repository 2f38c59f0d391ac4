import type { Health } from '../model/health.js';
import type { ApplyOutcome, Observation, ObservationSink } from '../model/observation.js';
import { shardKey } from './probe-shard.js';

interface Seen {
  health: Health;
  reason: string | undefined;
  atMs: number;
}

/**
 * A poll quorum in front of the health model (`metrics.poll_quorum` > 1): keeps each vantage's
 * latest probe result per replica, and hands the model a verdict only as bad as `quorum` vantages
 * agree on (dead when that many say dead, sick when that many say sick or dead); otherwise healthy,
 * noting which vantages saw it down. Results older than `freshMs` (a vantage that stopped probing
 * it, a member gone) no longer count.
 */
export class PollQuorum implements ObservationSink {
  private readonly seen = new Map<string, Map<string, Seen>>();
  /** The time of the last verdict per replica: verdicts never go back in time. */
  private readonly verdictAtMs = new Map<string, number>();

  constructor(
    private readonly model: ObservationSink,
    private readonly quorum: number,
    private readonly freshMs: number,
  ) {}

  apply(observation: Observation): ApplyOutcome {
    if (observation.kind !== 'probe' || observation.vantage === undefined) {
      return this.model.apply(observation);
    }
    const key = shardKey(observation.subject);
    const byVantage = this.seen.get(key) ?? new Map<string, Seen>();
    this.seen.set(key, byVantage);
    const { health, reason, atMs, vantage } = observation;
    const previous = byVantage.get(vantage);
    if (previous && previous.atMs > atMs) return 'stale';
    byVantage.set(vantage, { health, reason, atMs });
    for (const [name, each] of byVantage) if (atMs - each.atMs > this.freshMs) byVantage.delete(name);
    // Stamped no earlier than the last verdict: the model keeps the newest per replica, and the
    // verdict from all vantages is newer even when this vantage's result was taken a little earlier.
    const verdictAtMs = Math.max(atMs, this.verdictAtMs.get(key) ?? atMs);
    this.verdictAtMs.set(key, verdictAtMs);
    return this.model.apply({ ...observation, atMs: verdictAtMs, ...this.verdict(byVantage) });
  }

  private verdict(byVantage: ReadonlyMap<string, Seen>): { health: Health; reason?: string } {
    const down = [...byVantage].filter(([, each]) => each.health !== 'healthy');
    const describe = (list: typeof down) =>
      list
        .map(([vantage, each]) => `${vantage}${each.reason === undefined ? '' : ` (${each.reason})`}`)
        .join(', ');
    const dead = down.filter(([, each]) => each.health === 'dead');
    if (dead.length >= this.quorum) return { health: 'dead', reason: `dead from ${describe(dead)}` };
    if (down.length >= this.quorum) return { health: 'sick', reason: `down from ${describe(down)}` };
    if (down.length === 0) return { health: 'healthy' };
    return { health: 'healthy', reason: `seen down from vantage ${describe(down)}` };
  }
}
