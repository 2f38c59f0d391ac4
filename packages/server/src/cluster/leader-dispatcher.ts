import type { Logger } from 'pino';
import type { AlertState } from '../notify/alert-policy.js';
import type { Dispatcher } from '../notify/dispatcher.js';
import type { DeliveryQuery, Outbox } from '../notify/outbox.js';
import type { ClusterRepository } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { memberAlerts } from './member-alerts.js';
import type { Leadership, Membership } from './membership.js';

/** What main.ts drives: the dispatcher itself, or, in a cluster, the one that runs only on the leader. */
export type AlertDispatcher = Pick<Dispatcher, 'start' | 'stop' | 'hasSettled' | 'listDeliveries'>;

export interface LeaderDispatcherDependencies {
  membership: Membership;
  repository: Pick<ClusterRepository, 'view'>;
  /** The unfenced outbox: the delivery log any member may read. */
  outbox: Outbox;
  /** A dispatcher whose outbox is fenced by `token`, and calls `onWriteFailure` when a write fails. */
  makeDispatcher: (token: number, onWriteFailure: () => void) => { dispatcher: Dispatcher; outbox: Outbox };
  pageUrl: string;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** The dispatcher of one leadership, and what it has told about the other members. */
interface Term {
  token: number;
  dispatcher: Dispatcher;
  outbox: Outbox;
  told?: Map<string, AlertState>;
}

/**
 * Exactly one member decides and sends alerts: this runs a dispatcher only while the member holds
 * the alert leader's lease, one per leadership (its outbox fenced by that token), and stops it the
 * moment the lease may have lapsed. A new leader's dispatcher restores the watcher states the last
 * one stored and takes over its pending deliveries. While it leads, it also tells when another
 * member's lease lapses and when it comes back.
 */
export class LeaderDispatcher implements AlertDispatcher {
  private term: Term | undefined;
  /** Leadership changes, one after the other. */
  private transitions: Promise<void> = Promise.resolve();
  private readonly cleanups: Array<() => void> = [];
  private takeOver: { settled: boolean } | undefined;
  private settledBefore = false;
  private termsStarted = 0;
  private stopped = false;

  constructor(private readonly deps: LeaderDispatcherDependencies) {}

  async start(takeOver?: { settled: boolean }): Promise<void> {
    const { membership } = this.deps;
    this.takeOver = takeOver;
    this.settledBefore = takeOver?.settled ?? false;
    this.cleanups.push(
      membership.onLeadership((leadership) => this.change(leadership)),
      membership.onRound(() => this.watchMembers()),
    );
    this.change(membership.leadership);
    await this.transitions;
  }

  get hasSettled(): boolean {
    return this.term?.dispatcher.hasSettled ?? this.settledBefore;
  }

  listDeliveries(query: DeliveryQuery) {
    return this.deps.outbox.recentDeliveries(query);
  }

  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    await this.transitions;
    await this.term?.dispatcher.stop(graceMs);
    this.term = undefined;
  }

  /** Runs `task` after the changes queued before it; a failure is logged and ends only that task. */
  private queue(task: () => Promise<void>, failure: string): void {
    this.transitions = this.transitions
      .then(task)
      .catch((error: unknown) => this.deps.logger.error({ err: error }, `cluster: ${failure}`));
  }

  private change(leadership: Leadership | undefined): void {
    this.queue(() => this.apply(leadership), 'alert leadership change failed');
  }

  private async apply(leadership: Leadership | undefined): Promise<void> {
    if (this.stopped || this.term?.token === leadership?.token) return;
    const ending = this.term;
    this.term = undefined;
    if (ending) {
      this.settledBefore ||= ending.dispatcher.hasSettled;
      // Its lease may be gone already: nothing more may leave from here, not even what is due.
      await ending.dispatcher.stop(0);
    }
    if (!leadership || !this.deps.membership.holds(leadership.token)) return;
    const { dispatcher, outbox } = this.deps.makeDispatcher(leadership.token, () => this.restart());
    this.term = { token: leadership.token, dispatcher, outbox };
    // Vigil's startup alert belongs to a cluster that starts: this member found no leader at its start.
    const firstTerm = this.termsStarted === 0 && this.takeOver === undefined;
    const startsCluster = firstTerm && this.deps.membership.ledFromStart;
    this.termsStarted += 1;
    try {
      await dispatcher.start(startsCluster ? undefined : { settled: this.settledBefore });
    } catch (error) {
      // The stored state could not be read: the next heartbeat the database answers tries again.
      this.term = undefined;
      await dispatcher.stop(0);
      throw error;
    }
  }

  /**
   * A decision could not be stored (the database away): its watcher has moved on in memory, so the
   * dispatcher stops, and the next heartbeat the database answers starts another from the stored
   * state, which decides that transition again instead of losing it.
   */
  private restart(): void {
    this.queue(async () => {
      const failed = this.term;
      if (!failed) return;
      this.deps.logger.warn('cluster: an alert could not be stored; alerting restarts from the stored state');
      this.term = undefined;
      this.settledBefore ||= failed.dispatcher.hasSettled;
      await failed.dispatcher.stop(0);
    }, 'stopping alerting failed');
  }

  /** After a heartbeat: restarts a stopped dispatcher, and tells of members whose lease lapsed or came back. */
  private watchMembers(): void {
    if (!this.term) this.change(this.deps.membership.leadership);
    this.queue(async () => {
      const term = this.term;
      if (!term || this.stopped) return;
      const view = await this.deps.repository.view();
      term.told ??= await term.outbox.loadWatcherStates();
      const alerts = memberAlerts({
        view,
        told: term.told,
        self: this.deps.membership.instanceId,
        pageUrl: this.deps.pageUrl,
        nowMs: this.deps.clock.now(),
      });
      for (const { alert, watcher } of alerts) {
        this.deps.logger.info(`cluster: ${alert.notice}`);
        term.told.set(watcher.key, watcher.state);
        term.dispatcher.announce(alert, watcher);
      }
    }, 'could not check the other members');
  }
}
