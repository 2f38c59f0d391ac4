import pg from 'pg';
import type { Logger } from 'pino';
import {
  type ApplyOutcome,
  type Observation,
  type ObservationSink,
  parseObservation,
  serializeObservation,
} from '../model/observation.js';
import { type Clock, setLongTimeout } from '../time/clock.js';

/** The PostgreSQL channel members share reports on. */
const CHANNEL = 'vigil_observations';
/**
 * PostgreSQL refuses NOTIFY payloads from 8,000 bytes: observations go several to a notification,
 * up to this, and one that alone is larger stays with its member.
 */
const MAX_PAYLOAD_BYTES = 7900;
/** Observations wait this long for others to share a notification with. */
const BATCH_MS = 50;
/** Wait before listening again after the connection dropped. */
const RECONNECT_MS = 2000;

/**
 * Reports, probe results and the RabbitMQ check's verdicts are shared (one member probes each
 * replica and checks each node's queue: its shard's owner); restores are not (each member restores
 * the stored replicas itself).
 */
const SHARED_KINDS: ReadonlySet<Observation['kind']> = new Set(['push', 'local', 'flush', 'probe', 'queue']);

interface Message {
  from: string;
  observations: unknown[];
}

/**
 * Observation sharing: a push or local report (or a flush) one member takes in, and each probe
 * result of the replicas it probes, is published with NOTIFY, several to a notification, and every
 * other member LISTENs and applies them to its own model, so every member's model sees every
 * replica and the alert leader judges them all. Delivery is best effort: while a member is not
 * listening (its connection dropped) it misses observations, and the next report or probe round
 * catches it up.
 */
export class ObservationRelay {
  private client: pg.Client | undefined;
  private cancelReconnect: (() => void) | undefined;
  private cancelBatch: (() => void) | undefined;
  /** Serialized observations waiting for their notification. */
  private batch: string[] = [];
  private batchBytes = 0;
  private stopped = false;

  constructor(
    private readonly deps: {
      url: string;
      instanceId: string;
      /** Stamped on this member's probe results, for a poll quorum. */
      vantage?: string;
      /** Sends a NOTIFY through the store's pool. */
      notify: (channel: string, payload: string) => Promise<void>;
      model: ObservationSink;
      clock: Clock;
      logger: Pick<Logger, 'info' | 'warn'>;
    },
  ) {}

  /** What the reporter routes apply reports to: this member's model, then the other members'. */
  get sink(): ObservationSink {
    return { apply: (observation) => this.applyAndShare(observation) };
  }

  /** Tells the other members what this member's model already took: a verdict it judged itself. */
  share(observation: Observation): void {
    this.publish(observation);
  }

  async start(): Promise<void> {
    await this.listen();
  }

  async stop(): Promise<void> {
    this.send();
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
    if (outcome === 'ok' && SHARED_KINDS.has(observation.kind)) this.publish(observation);
    return outcome;
  }

  private get envelopeBytes(): number {
    return Buffer.byteLength(`{"from":${JSON.stringify(this.deps.instanceId)},"observations":[]}`);
  }

  private publish(observation: Observation): void {
    const text = serializeObservation(observation);
    const bytes = Buffer.byteLength(text) + 1;
    const envelope = this.envelopeBytes;
    if (envelope + bytes > MAX_PAYLOAD_BYTES) {
      this.deps.logger.warn(
        `cluster: a ${observation.kind} observation too large to share stays with this member`,
      );
      return;
    }
    if (envelope + this.batchBytes + bytes > MAX_PAYLOAD_BYTES) this.send();
    this.batch.push(text);
    this.batchBytes += bytes;
    if (this.batch.length === 1) {
      this.cancelBatch = setLongTimeout(this.deps.clock, () => this.send(), BATCH_MS);
    }
  }

  /** Sends the waiting observations in one notification. */
  private send(): void {
    this.cancelBatch?.();
    this.cancelBatch = undefined;
    if (this.batch.length === 0 || this.stopped) return;
    const payload = `{"from":${JSON.stringify(this.deps.instanceId)},"observations":[${this.batch.join(',')}]}`;
    this.batch = [];
    this.batchBytes = 0;
    this.deps.notify(CHANNEL, payload).catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, 'cluster: could not share observations with the other members');
    });
  }

  private receive(payload: string | undefined): void {
    let message: Message;
    try {
      message = JSON.parse(payload ?? '') as Message;
      if (!Array.isArray(message.observations)) throw new Error('no "observations" list');
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'cluster: a shared report could not be read; ignored');
      return;
    }
    if (message.from === this.deps.instanceId) return;
    for (const each of message.observations) {
      let observation: Observation;
      try {
        observation = parseObservation(each);
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'cluster: a shared report could not be read; ignored');
        continue;
      }
      // Not shared again: every member hears the sender itself.
      this.deps.model.apply(observation);
    }
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.deps.url });
    client.on('notification', (message) => this.receive(message.payload));
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
      await client.query(`LISTEN ${CHANNEL}`);
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
