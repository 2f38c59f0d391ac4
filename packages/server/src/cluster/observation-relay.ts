import pg from 'pg';
import type { Logger } from 'pino';
import type { Health } from '../model/health.js';
import {
  type ApplyOutcome,
  type Observation,
  type ObservationSink,
  type ReplicaRef,
  serializeObservation,
} from '../model/observation.js';
import { type Clock, setLongTimeout } from '../time/clock.js';
import { NotificationBatch } from './notification-batch.js';
import { DIGEST_CHANNEL, NEWS_CHANNEL, ObservationReceiver } from './observation-receiver.js';
import { digestEntry, digestEnvelope } from './probe-digest.js';
import { ToldHealth } from './told-health.js';

/** News waits this long for others to share a notification with. */
const BATCH_MS = 50;
/** A bulk result waits at most this long for others (a full notification goes at once). */
const DIGEST_MS = 1000;
/** Wait before listening again after the connection dropped. */
const RECONNECT_MS = 2000;

/**
 * Reports, probe results and the RabbitMQ check's verdicts are shared (one member probes each
 * replica and checks each node's queue: its shard's owner); restores are not (each member restores
 * the stored replicas itself).
 */
const SHARED_KINDS: ReadonlySet<Observation['kind']> = new Set(['push', 'local', 'flush', 'probe', 'queue']);

/**
 * Observation sharing: a push or local report (or a flush) one member takes in, and each probe
 * result of the replicas it probes, is published with NOTIFY, several to a notification, and every
 * other member LISTENs and applies them to its own model, so every member's model sees every
 * replica and the alert leader judges them all.
 *
 * Two lanes, so that what decides an alert never waits behind the bulk. News (reports, verdicts,
 * and a probe result whose health or reason differs from what this member last told of that
 * replica, or its first since this member's share changed) goes within 50 ms on `vigil_observations`
 * and is applied on arrival where it changes something (ObservationReceiver). Every other probe
 * result goes in compact digests on `vigil_probe_digest`, at most a second later, and a receiver
 * applies them one notification per turn of its event loop: they carry the latencies (the page's figures, the leader's history) and
 * each vantage's fresh result (a poll quorum), and they repeat each replica's health every round,
 * so a member that missed news (its connection dropped) has caught up by the next round.
 */
export class ObservationRelay {
  private client: pg.Client | undefined;
  private cancelReconnect: (() => void) | undefined;
  private stopped = false;
  private readonly news: NotificationBatch;
  private readonly bulk: NotificationBatch;
  /** What this member last told of each replica it probes. */
  private readonly told = new ToldHealth();
  private readonly receiver: ObservationReceiver;

  constructor(
    private readonly deps: {
      url: string;
      instanceId: string;
      /** Stamped on this member's probe results, for a poll quorum. */
      vantage?: string;
      /** Sends a NOTIFY through the store's pool. */
      notify: (channel: string, payload: string) => Promise<void>;
      model: ObservationSink;
      /** What this member shows of a replica now (its model's view): see ObservationReceiver. */
      shows?: (ref: ReplicaRef) => { health: Health; reason?: string } | undefined;
      clock: Clock;
      logger: Pick<Logger, 'info' | 'warn'>;
    },
  ) {
    const { instanceId, vantage, notify, clock, logger } = deps;
    const onError = (error: unknown) => {
      logger.warn({ err: error }, 'cluster: could not share observations with the other members');
    };
    const from = JSON.stringify(instanceId);
    this.news = new NotificationBatch({
      channel: NEWS_CHANNEL,
      head: `{"from":${from},"observations":[`,
      tail: ']}',
      waitMs: BATCH_MS,
      notify,
      onError,
      clock,
    });
    this.bulk = new NotificationBatch({
      channel: DIGEST_CHANNEL,
      ...digestEnvelope(instanceId, vantage),
      waitMs: DIGEST_MS,
      notify,
      onError,
      clock,
    });
    this.receiver = new ObservationReceiver({
      instanceId,
      model: deps.model,
      logger,
      ...(deps.shows && { shows: deps.shows }),
    });
  }

  /** What the reporter routes apply reports to: this member's model, then the other members'. */
  get sink(): ObservationSink {
    return { apply: (observation) => this.applyAndShare(observation) };
  }

  /** Tells the other members what this member's model already took: a verdict it judged itself. */
  share(observation: Observation): void {
    this.publish(observation);
  }

  /**
   * This member's share changed (a member joined, died, or its list lapsed): the next result of
   * each replica it probes is news, as it may take one over from a member that told otherwise.
   */
  shareChanged(): void {
    this.told.clear();
  }

  async start(): Promise<void> {
    await this.listen();
  }

  async stop(): Promise<void> {
    this.news.stop();
    this.bulk.stop();
    this.receiver.stop();
    this.stopped = true;
    this.cancelReconnect?.();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private applyAndShare(received: Observation): ApplyOutcome {
    const { vantage } = this.deps;
    const observation = received.kind === 'probe' && vantage ? { ...received, vantage } : received;
    const outcome = this.deps.model.apply(observation);
    if (outcome !== 'ok' || !SHARED_KINDS.has(observation.kind)) return outcome;
    if (observation.kind === 'probe' && !this.told.isNews(observation)) {
      if (!this.bulk.add(digestEntry(observation))) this.tooLarge(observation);
    } else this.publish(observation);
    return outcome;
  }

  private publish(observation: Observation): void {
    if (!this.news.add(serializeObservation(observation))) this.tooLarge(observation);
  }

  private tooLarge(observation: Observation): void {
    this.deps.logger.warn(
      `cluster: a ${observation.kind} observation too large to share stays with this member`,
    );
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.deps.url });
    client.on('notification', (message) => this.receiver.receive(message.channel, message.payload));
    client.on('error', (error) => {
      this.deps.logger.warn(
        { err: error },
        'cluster: the report-sharing connection dropped; listening again',
      );
      this.retry(client);
    });
    // Closed by the server without an error (a restart, a terminated backend): listen again too.
    client.on('end', () => {
      if (this.client === client) this.retry(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${NEWS_CHANNEL}; LISTEN ${DIGEST_CHANNEL}`);
      this.client = client;
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'cluster: cannot listen for shared reports; trying again');
      this.retry(client);
    }
  }

  private retry(client: pg.Client): void {
    if (this.stopped) return;
    if (this.client === client) this.client = undefined;
    client.end().catch(() => {});
    this.cancelReconnect?.();
    this.cancelReconnect = setLongTimeout(this.deps.clock, () => void this.listen(), RECONNECT_MS);
  }
}
