import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { NodeRef, ReplicaRef } from '../model/observation.js';
import type { Clock } from '../time/clock.js';

/** A member's score for a key: the first 48 bits of SHA-256 over both, the same on every member. */
function score(member: string, key: string): number {
  return createHash('sha256').update(member).update('\0').update(key).digest().readUIntBE(0, 6);
}

/**
 * Rendezvous (highest random weight) hashing: the member scoring highest for `key` owns it. A
 * member joining takes only the keys it now wins; one leaving hands only its own keys on, each to
 * the member that scored next, so the rest of the work stays where it was.
 */
export function rendezvousOwner(key: string, members: readonly string[]): string | undefined {
  return rendezvousOwners(key, members, 1)[0];
}

/** The `count` members scoring highest for `key`, best first: a poll quorum's vantages. */
export function rendezvousOwners(key: string, members: readonly string[], count: number): string[] {
  return (
    members
      .map((member) => ({ member, value: score(member, key) }))
      // Ties (vanishingly rare) go to the smaller id, so every member picks the same owners.
      .sort((a, b) => b.value - a.value || (a.member < b.member ? -1 : 1))
      .slice(0, count)
      .map(({ member }) => member)
  );
}

/** The key a replica is sharded by: its path, as alerts name it. */
export function shardKey(ref: ReplicaRef): string {
  return `${ref.serviceId}:${ref.nodeId}:${ref.replicaId}`;
}

/** The key a node's own work (its RabbitMQ queue check) is sharded by: `service:node`. */
export function nodeShardKey(ref: NodeRef): string {
  return `${ref.serviceId}:${ref.nodeId}`;
}

/**
 * Which poll and script replicas this member probes, and which push nodes' queues it checks: those
 * it owns by rendezvous hashing over the live members, as the database last listed them (refreshed after each heartbeat). A member that
 * could not read the list for a whole lease (cut off from PostgreSQL, where the others count it
 * gone and take its share) probes every replica: its own view is then all it has.
 */
export class ProbeShard {
  private live: readonly string[] = [];
  private refreshedAtMs = Number.NEGATIVE_INFINITY;
  private failing = false;
  /** Whether this member owns everything now, its list a lease old. */
  private ownsAll = true;
  private cancelLapse: (() => void) | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly deps: {
      instanceId: string;
      leaseMs: number;
      /** Members probing each poll replica (`metrics.poll_quorum`); scripts have one. */
      pollQuorum: number;
      clock: Clock;
      /** Ids of the members whose lease runs, by the database's clock. */
      readLive: () => Promise<string[]>;
      logger: Pick<Logger, 'warn'>;
    },
  ) {}

  /** Reads the live members again; a failure keeps the last list (until it is a lease old). */
  async refresh(): Promise<void> {
    const { clock, leaseMs, instanceId } = this.deps;
    try {
      const live = await this.deps.readLive();
      const previous = this.live.join();
      this.live = live.includes(instanceId) ? live : [...live, instanceId];
      this.refreshedAtMs = clock.now();
      this.failing = false;
      const changed = this.ownsAll || this.live.join() !== previous;
      this.ownsAll = false;
      // A lease without a list: this member owns everything from then on, and says so at once.
      this.cancelLapse?.();
      const timer = clock.setTimeout(() => {
        this.ownsAll = true;
        this.changed();
      }, leaseMs + 1);
      this.cancelLapse = () => clock.clearTimeout(timer);
      if (changed) this.changed();
    } catch (error) {
      if (!this.failing) this.deps.logger.warn({ err: error }, 'cluster: cannot read the live members');
      this.failing = true;
    }
  }

  /** Called when this member's share may have changed (a member joined or died, or its list lapsed). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.cancelLapse?.();
    this.listeners.clear();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Whether this member probes `ref` now. */
  owns(ref: ReplicaRef, mode: 'poll' | 'script'): boolean {
    return this.ownsKey(shardKey(ref), mode === 'poll' ? this.deps.pollQuorum : 1);
  }

  /** Whether this member checks the node's RabbitMQ queue now. */
  ownsNode(ref: NodeRef): boolean {
    return this.ownsKey(nodeShardKey(ref), 1);
  }

  private ownsKey(key: string, count: number): boolean {
    const { clock, leaseMs, instanceId } = this.deps;
    if (clock.now() - this.refreshedAtMs > leaseMs) return true;
    return rendezvousOwners(key, this.live, count).includes(instanceId);
  }
}
