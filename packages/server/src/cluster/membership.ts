import type { Logger } from 'pino';
import type { ClusterRepository } from '../store/types.js';
import type { Clock } from '../time/clock.js';

/** This member's hold on the alert leader's lease. */
export interface Leadership {
  token: number;
  /**
   * By this member's own clock: when the renewal that gave it was sent, plus the lease. The
   * database started the lease later than that, so the lease surely runs until then, whatever the
   * clocks of the database and the other members say.
   */
  validUntilMs: number;
}

export interface MembershipDependencies {
  repository: ClusterRepository;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  instanceId: string;
  vantage: string;
  leaseMs: number;
}

/** Three heartbeats per lease: one lost (a slow query) does not lapse it. */
const ROUNDS_PER_LEASE = 3;

/**
 * This member's lease row, renewed every third of a lease, and its bid for the alert leader's
 * lease at each renewal. It says who leads from what it last heard, and drops the leadership on
 * its own clock as soon as the lease may have run out, so a member the database cannot hear from
 * (partitioned, paused) stops acting as the leader before another one can start.
 */
export class Membership {
  private held: Leadership | undefined;
  private readonly leadershipListeners = new Set<(leadership: Leadership | undefined) => void>();
  private readonly roundListeners = new Set<() => void>();
  private cancelRound: (() => void) | undefined;
  private cancelExpiry: (() => void) | undefined;
  private rounds = 0;
  private ledFromFirstRound = false;
  private unreachable = false;
  private sharedId = false;
  private stopped = false;
  private readonly startedAtMs: number;

  constructor(private readonly deps: MembershipDependencies) {
    this.startedAtMs = deps.clock.now();
  }

  get instanceId(): string {
    return this.deps.instanceId;
  }

  get leaseMs(): number {
    return this.deps.leaseMs;
  }

  /** The leadership held now, if any, by this member's clock. */
  get leadership(): Leadership | undefined {
    return this.held && this.deps.clock.now() < this.held.validUntilMs ? this.held : undefined;
  }

  /** Whether this member led from its first heartbeat: the cluster had no leader when it started. */
  get ledFromStart(): boolean {
    return this.ledFromFirstRound;
  }

  /** Whether `token`'s lease surely still runs: checked again right before each send. */
  holds(token: number): boolean {
    return this.leadership?.token === token;
  }

  /** Called with each new leadership (a new token) and with undefined when it ends; returns an unsubscribe. */
  onLeadership(listener: (leadership: Leadership | undefined) => void): () => void {
    this.leadershipListeners.add(listener);
    return () => this.leadershipListeners.delete(listener);
  }

  /** Called after each heartbeat the database took. */
  onRound(listener: () => void): () => void {
    this.roundListeners.add(listener);
    return () => this.roundListeners.delete(listener);
  }

  /** Joins with a first heartbeat (an unreachable database is logged and retried), then keeps renewing. */
  async start(): Promise<void> {
    await this.round();
  }

  /** Stops renewing and leaves: the row goes and a held leadership ends now, for another member to take. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelRound?.();
    this.cancelExpiry?.();
    this.setHeld(undefined);
    try {
      await this.deps.repository.leave(this.deps.instanceId);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'cluster: could not leave; the others see this member lapse');
    }
  }

  private async round(): Promise<void> {
    const { repository, clock, instanceId, vantage, leaseMs } = this.deps;
    this.rounds += 1;
    // Woken late (a pause): the lease may have gone to another member meanwhile.
    if (this.held && clock.now() >= this.held.validUntilMs) this.setHeld(undefined);
    try {
      const heartbeat = await repository.heartbeat({
        instanceId,
        vantage,
        leaseMs,
        startedAtMs: this.startedAtMs,
      });
      // At the first heartbeat it may be this member's own previous run, restarted within its lease.
      this.warnIfShared(heartbeat.sharedWithLiveProcess && this.rounds > 1);
      const sentAtMs = clock.now();
      const lease = await repository.acquireLeadership(instanceId, leaseMs, this.held?.token);
      if (this.stopped) return;
      this.setHeld(lease && { token: lease.token, validUntilMs: sentAtMs + leaseMs });
      if (this.rounds === 1 && lease) this.ledFromFirstRound = true;
      if (this.unreachable) this.deps.logger.info('cluster: the database answers heartbeats again');
      this.unreachable = false;
      for (const listener of this.roundListeners) listener();
    } catch (error) {
      if (!this.unreachable) {
        this.deps.logger.warn({ err: error }, 'cluster: heartbeat failed; retrying every round');
      }
      this.unreachable = true;
    }
    if (this.stopped) return;
    this.schedule();
  }

  /** Two processes with one `instance_id` take the leadership from each other at every heartbeat. */
  private warnIfShared(shared: boolean): void {
    if (shared && !this.sharedId) {
      this.deps.logger.warn(
        `cluster: another process heartbeats as instance_id "${this.deps.instanceId}"; give each member its own cluster.instance_id`,
      );
    }
    this.sharedId = shared;
  }

  private schedule(): void {
    const { clock, leaseMs } = this.deps;
    const roundMs = Math.max(1, Math.floor(leaseMs / ROUNDS_PER_LEASE));
    const timer = clock.setTimeout(() => void this.round(), roundMs);
    this.cancelRound = () => clock.clearTimeout(timer);
  }

  private setHeld(next: Leadership | undefined): void {
    const { clock, logger, instanceId } = this.deps;
    const previous = this.held;
    this.held = next;
    this.cancelExpiry?.();
    this.cancelExpiry = undefined;
    if (next) {
      const timer = clock.setTimeout(() => this.expire(next), next.validUntilMs - clock.now());
      this.cancelExpiry = () => clock.clearTimeout(timer);
    }
    if (previous?.token === next?.token) return;
    if (next) logger.info(`cluster: ${instanceId} leads alerting (token ${next.token})`);
    else if (previous)
      logger.warn(`cluster: ${instanceId} no longer leads alerting (token ${previous.token})`);
    for (const listener of this.leadershipListeners) listener(next);
  }

  /** The lease ran out without a renewal heard: stop leading before anyone else can start. */
  private expire(lease: Leadership): void {
    if (this.held === lease) this.setHeld(undefined);
  }
}
