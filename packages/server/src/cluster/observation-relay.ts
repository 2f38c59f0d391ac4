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
/** PostgreSQL refuses NOTIFY payloads from 8,000 bytes; a report that large stays with its member. */
const MAX_PAYLOAD_BYTES = 7900;
/** Wait before listening again after the connection dropped. */
const RECONNECT_MS = 2000;

/** Reports are shared; probe results are not: each member probes from its own vantage. */
const SHARED_KINDS: ReadonlySet<Observation['kind']> = new Set(['push', 'local', 'flush']);

interface Message {
  from: string;
  observation: unknown;
}

/**
 * Report sharing: a push or local report (or a flush) one member takes in is published with
 * NOTIFY, and every other member LISTENs and applies it to its own model, so the alert leader
 * judges push and local replicas whichever member a reporter reached. Delivery is best effort:
 * while a member is not listening (its connection dropped) it misses reports, and the reporter's
 * next one catches it up.
 */
export class ObservationRelay {
  private client: pg.Client | undefined;
  private cancelReconnect: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      url: string;
      instanceId: string;
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

  async start(): Promise<void> {
    await this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelReconnect?.();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private applyAndShare(observation: Observation): ApplyOutcome {
    const outcome = this.deps.model.apply(observation);
    if (outcome === 'ok' && SHARED_KINDS.has(observation.kind)) this.publish(observation);
    return outcome;
  }

  private publish(observation: Observation): void {
    const payload = `{"from":${JSON.stringify(this.deps.instanceId)},"observation":${serializeObservation(observation)}}`;
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      this.deps.logger.warn(
        `cluster: a ${observation.kind} report too large to share stays with this member`,
      );
      return;
    }
    this.deps.notify(CHANNEL, payload).catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, 'cluster: could not share a report with the other members');
    });
  }

  private receive(payload: string | undefined): void {
    let observation: Observation;
    try {
      const message = JSON.parse(payload ?? '') as Message;
      if (message.from === this.deps.instanceId) return;
      observation = parseObservation(message.observation);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'cluster: a shared report could not be read; ignored');
      return;
    }
    // Not shared again: every member hears the sender itself.
    this.deps.model.apply(observation);
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
