import type { Logger } from 'pino';
import type { Health } from '../model/health.js';
import {
  type Observation,
  type ObservationOf,
  type ObservationSink,
  parseObservation,
  type ReplicaRef,
} from '../model/observation.js';
import { DigestQueue } from './digest-queue.js';
import { digestObservation, parseDigest } from './probe-digest.js';

/** The PostgreSQL channel members share news on: reports, verdicts, probe results that change something. */
export const NEWS_CHANNEL = 'vigil_observations';
/** The channel of the probe results that change nothing the others show, in bulk (probe-digest.ts). */
export const DIGEST_CHANNEL = 'vigil_probe_digest';

interface Message {
  from: string;
  observations: unknown[];
}

/**
 * What a member does with the other members' notifications: news that changes what it shows is
 * applied as it arrives, and digests (and news that changes nothing here) wait their turn, one
 * notification per turn of the event loop (DigestQueue), so news that arrives behind a thousand
 * bulk results is applied before them, and the member's own work runs in between. Its own
 * notifications (the listener hears them too) are skipped.
 */
export class ObservationReceiver {
  /** Digest payloads, and news that changes nothing this member shows, waiting their turn. */
  private readonly bulk = new DigestQueue<string | Observation[]>(
    (item) => (typeof item === 'string' ? this.applyDigest(item) : this.applyAll(item)),
    () => this.droppedDigest(),
  );
  private droppedDigests = 0;
  /** How this member's own digests begin: skipped unread. */
  private readonly ownDigestPrefix: string;

  constructor(
    private readonly deps: {
      instanceId: string;
      model: ObservationSink;
      /**
       * What this member shows of a replica now: a probe result in the news that matches it changes
       * nothing here (the burst of first results after a join), and waits its turn like a digest.
       */
      shows?: (ref: ReplicaRef) => { health: Health; reason?: string } | undefined;
      logger: Pick<Logger, 'warn'>;
    },
  ) {
    this.ownDigestPrefix = `{"from":${JSON.stringify(deps.instanceId)},`;
  }

  /** One notification from the listening connection. */
  receive(channel: string, payload: string | undefined): void {
    if (channel === DIGEST_CHANNEL) {
      if (payload !== undefined && !payload.startsWith(this.ownDigestPrefix)) this.bulk.push(payload);
    } else if (channel === NEWS_CHANNEL) this.applyNews(payload);
  }

  /** Whether every digest received so far was applied. */
  get idle(): boolean {
    return this.bulk.idle;
  }

  stop(): void {
    this.bulk.stop();
  }

  private applyNews(payload: string | undefined): void {
    let message: Message;
    try {
      message = JSON.parse(payload ?? '') as Message;
      if (!Array.isArray(message.observations)) throw new Error('no "observations" list');
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'cluster: a shared report could not be read; ignored');
      return;
    }
    if (message.from === this.deps.instanceId) return;
    const unchanged: Observation[] = [];
    for (const each of message.observations) {
      let observation: Observation;
      try {
        observation = parseObservation(each);
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'cluster: a shared report could not be read; ignored');
        continue;
      }
      if (observation.kind === 'probe' && this.changesNothing(observation)) unchanged.push(observation);
      // Not shared again: every member hears the sender itself.
      else this.deps.model.apply(observation);
    }
    if (unchanged.length > 0) this.bulk.push(unchanged);
  }

  private changesNothing(observation: ObservationOf<'probe'>): boolean {
    const shown = this.deps.shows?.(observation.subject);
    return shown !== undefined && shown.health === observation.health && shown.reason === observation.reason;
  }

  private applyAll(observations: readonly Observation[]): void {
    for (const observation of observations) this.deps.model.apply(observation);
  }

  /** A digest's results, applied as the probe observations they stand for. */
  private applyDigest(payload: string): void {
    let invalid = 0;
    try {
      const digest = parseDigest(payload);
      if (digest.from === this.deps.instanceId) return;
      for (const entry of digest.results) {
        const observation = digestObservation(entry, digest.vantage);
        if (observation) this.deps.model.apply(observation);
        else invalid++;
      }
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'cluster: shared probe results could not be read; ignored');
      return;
    }
    if (invalid > 0) {
      this.deps.logger.warn(`cluster: ${invalid} shared probe result(s) could not be read; ignored`);
    }
  }

  private droppedDigest(): void {
    this.droppedDigests++;
    // Once, then every thousandth: a member that falls that far behind would log little else.
    if (this.droppedDigests % 1000 !== 1) return;
    this.deps.logger.warn(
      `cluster: ${this.droppedDigests} notification(s) of shared probe results dropped unread, too many waiting; the next round refreshes them`,
    );
  }
}
