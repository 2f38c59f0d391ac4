import type { RabbitmqConfig } from '../config/schema.js';
import { basicAuthorization } from '../http/basic-auth.js';
import type { HealthModel, QueueState } from '../model/health-model.js';
import type { NodeRef, ObservationSink } from '../model/observation.js';
import { type NodeSpec, vigilUserAgent } from '../model/topology.js';
import { describeError } from '../probes/errors.js';
import { type Clock, sleep } from '../time/clock.js';
import { fetchQueueCounts, type QueueCounts, queueApiUrl } from './rabbitmq-api.js';

export interface QueueThresholds {
  readyHealthyBelow: number;
  nackHealthyBelow: number;
  readyDeadAbove: number;
  nackDeadAbove: number;
}

/** Global thresholds, with the node's nack overrides (there are none for ready, as in Vigil). */
export function queueThresholds(config: RabbitmqConfig, node: NodeSpec): QueueThresholds {
  return {
    readyHealthyBelow: config.queue_ready_healthy_below,
    nackHealthyBelow: node.rabbitmqNackHealthyBelow ?? config.queue_nack_healthy_below,
    readyDeadAbove: config.queue_ready_dead_above,
    nackDeadAbove: node.rabbitmqNackDeadAbove ?? config.queue_nack_dead_above,
  };
}

/** Spec §4.7: loaded (→ sick) from `>= healthy_below`, stalled (→ dead) from `> dead_above`. */
export function judgeQueue(counts: QueueCounts, thresholds: QueueThresholds): QueueState {
  return {
    loaded: counts.ready >= thresholds.readyHealthyBelow || counts.nack >= thresholds.nackHealthyBelow,
    stalled: counts.ready > thresholds.readyDeadAbove || counts.nack > thresholds.nackDeadAbove,
    ready: counts.ready,
    nack: counts.nack,
  };
}

/** The subset of a pino logger the checker writes to. */
export interface CheckLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface RabbitmqCheckerOptions {
  config: RabbitmqConfig;
  /** Whose push reports trigger checks, and where the node's spec is read. */
  model: HealthModel;
  /** Where verdicts go: the model, or in a cluster the model and the other members' (the default: `model`). */
  sink?: ObservationSink;
  /** Whether this instance checks the node's queue (a cluster shares the nodes out); all by default. */
  owns?: (node: NodeRef) => boolean;
  clock: Clock;
  /** `poll_delay_dead`, the timeout of each request. */
  timeoutMs: number;
  /** `branding.page_url`, named in the User-Agent as Vigil's HTTP client does. */
  pageUrl: string;
  logger: CheckLogger;
}

/**
 * The RabbitMQ plugin (spec §4.7): after each accepted push load report for a node with
 * `rabbitmq_queue`, reads the queue's counts and feeds loaded/stalled to the model.
 *
 * In a cluster only the node's shard owner checks its queue (`owns`), on every member's reports
 * (they are shared), and its verdicts reach the other members through `sink`.
 *
 * Unlike Vigil, which starts a thread per report, at most one check per node is in flight: reports
 * arriving meanwhile ask for one more check after it, so a burst of reports costs two requests and
 * the last verdict always comes from a request made after the last report.
 */
export class RabbitmqQueueChecker {
  private readonly inFlight = new Map<NodeSpec, { rerun: boolean; done: Promise<void> }>();
  /** Nodes whose last check failed, so a broken API is logged once, not on every report. */
  private readonly failing = new Set<NodeSpec>();
  private readonly stopping = new AbortController();
  private readonly authorization: string;
  private readonly userAgent: string;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: RabbitmqCheckerOptions) {
    this.authorization = basicAuthorization(options.config.auth_username, options.config.auth_password);
    this.userAgent = vigilUserAgent(options.pageUrl);
  }

  /** Starts listening to push reports; returns itself for chaining. */
  start(): this {
    this.unsubscribe ??= this.options.model.events.on('push-reported', ({ serviceId, nodeId }) =>
      this.trigger(serviceId, nodeId),
    );
    return this;
  }

  /** Stops listening, aborts pending requests and retry delays, and waits for running checks. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.stopping.abort(new Error('stopping'));
    await this.idle();
  }

  /** Resolves once no check is running (tests wait on it). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(Array.from(this.inFlight.values(), (run) => run.done));
  }

  /** Checks the node's queue now, or once more after the check already running for it. */
  trigger(serviceId: string, nodeId: string): void {
    const spec = this.options.model.node(serviceId, nodeId)?.spec;
    if (spec?.mode !== 'push' || spec.rabbitmqQueue === undefined || this.stopping.signal.aborted) return;
    if (this.options.owns && !this.options.owns({ serviceId, nodeId })) return;
    const running = this.inFlight.get(spec);
    if (running) {
      running.rerun = true;
      return;
    }
    const run = { rerun: false, done: Promise.resolve() };
    run.done = this.runChecks(spec, spec.rabbitmqQueue, run)
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'RabbitMQ queue check crashed'))
      .finally(() => this.inFlight.delete(spec));
    this.inFlight.set(spec, run);
  }

  private async runChecks(spec: NodeSpec, queue: string, run: { rerun: boolean }): Promise<void> {
    do {
      run.rerun = false;
      const state = await this.check(spec, queue);
      if (!state) return;
      const subject = { serviceId: spec.serviceId, nodeId: spec.id };
      const sink = this.options.sink ?? this.options.model;
      sink.apply({ kind: 'queue', subject, atMs: this.options.clock.now(), queue: state });
    } while (run.rerun);
  }

  /** One verdict, re-queried once after `queue_loaded_retry_delay` when loaded; undefined when stopping. */
  private async check(spec: NodeSpec, queue: string): Promise<QueueState | undefined> {
    const first = await this.query(spec, queue);
    const retryDelayMs = this.options.config.queue_loaded_retry_delay;
    if (!first?.loaded || retryDelayMs === undefined) return first;
    try {
      await sleep(this.options.clock, retryDelayMs, this.stopping.signal);
    } catch {
      return undefined;
    }
    // The second answer replaces the first entirely, flags and counts.
    return this.query(spec, queue);
  }

  private async query(spec: NodeSpec, queue: string): Promise<QueueState | undefined> {
    const { config, timeoutMs, logger } = this.options;
    const url = queueApiUrl(config.api_url, config.virtualhost, queue);
    const details = { service: spec.serviceId, node: spec.id, queue };
    try {
      const counts = await fetchQueueCounts(url, {
        authorization: this.authorization,
        userAgent: this.userAgent,
        timeoutMs,
        signal: this.stopping.signal,
      });
      if (this.failing.delete(spec)) logger.info(details, 'RabbitMQ queue check works again');
      return judgeQueue(counts, queueThresholds(config, spec));
    } catch (error) {
      if (this.stopping.signal.aborted) return undefined;
      if (!this.failing.has(spec)) {
        this.failing.add(spec);
        logger.warn(
          { ...details, reason: describeFailure(error, timeoutMs) },
          'RabbitMQ queue check failed; the queue counts as neither loaded nor stalled',
        );
      }
      // An unusable answer clears both flags and leaves the counts unknown, as in Vigil.
      return { loaded: false, stalled: false };
    }
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `timed out after ${timeoutMs / 1000} s`;
  // fetch wraps socket and DNS errors as `TypeError: fetch failed` with the real error as its cause.
  const cause = error instanceof TypeError && error.cause !== undefined ? error.cause : error;
  return describeError(cause);
}

/** The checker when `[plugins.rabbitmq]` is configured, else undefined. */
export function createRabbitmqChecker(
  config: RabbitmqConfig | undefined,
  options: Omit<RabbitmqCheckerOptions, 'config'>,
): RabbitmqQueueChecker | undefined {
  return config ? new RabbitmqQueueChecker({ ...options, config }) : undefined;
}
