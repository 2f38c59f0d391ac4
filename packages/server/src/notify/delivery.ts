import type { Logger } from 'pino';
import type { NotificationMetrics } from '../metrics/notification-outcomes.js';
import { type Clock, setLongTimeout } from '../time/clock.js';
import { withIdempotencyKey } from './idempotency.js';
import type { AttemptOutcome, Claim, Delivery, Outbox } from './outbox.js';
import type { Alert, Channel, TargetId } from './types.js';

export interface WorkerDependencies {
  outbox: Outbox;
  clock: Clock;
  settings: DeliverySettings;
  logger: Logger;
  metrics: NotificationMetrics;
  /** Who holds the leases this worker takes: stable per instance, so a restart takes its own back at once. */
  owner: string;
}

export interface DeliverySettings {
  /**
   * The channel's backoff: the wait after its 1st, 2nd, … failure in a row, the last one repeating,
   * none longer than MAX_RETRY_STEP_MS. An alert is given up once it has had `length + 1` attempts
   * and is older than their sum.
   */
  retryDelaysMs: readonly number[];
  /** Per-attempt timeout, handed to the channel too (Vigil: 10 s). */
  attemptTimeoutMs: number;
}

/** Vigil's 3 attempts 2 s apart (spec §6.1), then the longer configurable tail. */
export function retryDelaysMs(tailSeconds: readonly number[]): number[] {
  return [2000, 2000, ...tailSeconds.map((seconds) => seconds * 1000)];
}

/** Vigil's per-attempt timeout (spec §6.1). */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * The longest wait between two probes of a failing channel, whatever `retry_tail` says: an endpoint
 * that comes back hears the whole queue within this long.
 */
export const MAX_RETRY_STEP_MS = 60_000;

/** The channel's own timeout should win, its message names the endpoint; this only catches a channel that ignores it. */
const TIMEOUT_GRACE_MS = 500;
/** Pause before reading the outbox again after it failed (e.g. the database is away). */
const OUTBOX_RETRY_MS = 5000;
/**
 * A lease outlasts the longest attempt (its timeout plus grace) and the write of its outcome, so it
 * needs no renewal; a crashed instance's lease frees itself for the others after this long.
 */
const LEASE_ATTEMPT_TIMEOUTS = 3;

/** One send, settled within the timeout even if the channel ignores its signal; `stop` aborts it. */
export function attemptSend(
  channel: Channel,
  alert: Alert,
  options: { clock: Clock; timeoutMs: number; stop?: AbortSignal },
): Promise<void> {
  const { clock, timeoutMs, stop } = options;
  const controller = new AbortController();
  const aborted = new Promise<never>((_resolve, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  const onStop = () => controller.abort(stop?.reason);
  if (stop?.aborted) onStop();
  stop?.addEventListener('abort', onStop, { once: true });
  const timer = clock.setTimeout(
    () => controller.abort(new Error(`no outcome within ${timeoutMs} ms`)),
    timeoutMs + TIMEOUT_GRACE_MS,
  );
  const sent = withIdempotencyKey(alert.id, () => channel.send(alert, controller.signal));
  return Promise.race([sent, aborted]).finally(() => {
    clock.clearTimeout(timer);
    stop?.removeEventListener('abort', onStop);
  });
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Delivers one channel's pending alerts from the outbox, oldest first, one at a time (so a channel
 * never hears a recovery before the outage), each attempt under a lease. Each channel has its own
 * worker: a slow or failing endpoint delays nobody else.
 *
 * The backoff belongs to the channel, not to an alert: while the endpoint fails, only the oldest
 * alert is tried, at the backoff's pace (no wait longer than MAX_RETRY_STEP_MS); the first success
 * resets it and the alerts queued behind go out at once, in order.
 */
export class ChannelWorker {
  private loop: Promise<void> | undefined;
  /** Failed attempts on this channel since its last success here: where the backoff stands. */
  private failuresInARow = 0;
  /** An alert still failing once this old (and tried on every step) is given up. */
  private readonly retryForMs: number;
  private woken = false;
  private wakeUp: (() => void) | undefined;
  /** Stopping: deliver what is due now, then exit instead of waiting. */
  private draining = false;
  private readonly hardStop = new AbortController();

  constructor(
    private readonly target: TargetId,
    private readonly channel: Channel,
    private readonly deps: WorkerDependencies,
  ) {
    this.retryForMs = deps.settings.retryDelaysMs.reduce((total, delayMs) => total + delayMs, 0);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** New work may be waiting. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Delivers what is due for at most `graceMs`, then abandons the attempt in flight. What is left
   * stays pending in the outbox for the next start.
   */
  async stop(graceMs: number): Promise<void> {
    this.draining = true;
    const abort = () => this.hardStop.abort(new Error('stopping'));
    if (graceMs <= 0) abort();
    this.wakeUp?.();
    const cancel = setLongTimeout(this.deps.clock, abort, graceMs);
    await this.loop;
    cancel();
  }

  private async run(): Promise<void> {
    while (!this.hardStop.signal.aborted) {
      this.woken = false;
      let claim: Claim;
      const nowMs = this.deps.clock.now();
      try {
        claim = await this.deps.outbox.claimNext(this.target, {
          owner: this.deps.owner,
          nowMs,
          leaseMs: this.deps.settings.attemptTimeoutMs * LEASE_ATTEMPT_TIMEOUTS,
        });
      } catch (error) {
        this.deps.logger.error({ err: error, channel: this.target }, 'cannot read the notification outbox');
        if (!(await this.pause(OUTBOX_RETRY_MS))) return;
        continue;
      }
      if (claim && 'delivery' in claim) await this.attempt(claim.delivery);
      else if (!(await this.pause(claim && claim.retryAtMs - nowMs))) return;
    }
  }

  /** Waits for a wake-up or the delay (none: only a wake-up); false when the worker should exit. */
  private pause(delayMs: number | undefined): Promise<boolean> {
    if (this.draining) return Promise.resolve(false);
    if (this.woken) return Promise.resolve(true);
    return new Promise((resolve) => {
      const cancel =
        delayMs === undefined ? undefined : setLongTimeout(this.deps.clock, () => done(), delayMs);
      const done = () => {
        cancel?.();
        this.wakeUp = undefined;
        resolve(!this.draining);
      };
      this.wakeUp = done;
    });
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const { alert } = delivery;
    const name = this.target;
    const number = delivery.attempts.length + 1;
    const atMs = this.deps.clock.now();
    let error: string | undefined;
    try {
      await attemptSend(this.channel, alert, {
        clock: this.deps.clock,
        timeoutMs: this.deps.settings.attemptTimeoutMs,
        stop: this.hardStop.signal,
      });
    } catch (failure) {
      // Abandoned by stop: not a failure of the endpoint; the next start tries again.
      if (this.hardStop.signal.aborted) return;
      error = describeError(failure);
    }
    const finishedAtMs = this.deps.clock.now();
    this.failuresInARow = error === undefined ? 0 : this.failuresInARow + 1;
    const outcome: AttemptOutcome =
      error === undefined ? { status: 'delivered' } : this.afterFailure(delivery, number, finishedAtMs);
    const context = {
      channel: name,
      alert: alert.id,
      kind: alert.kind,
      status: alert.status,
      attempt: number,
      durationMs: finishedAtMs - atMs,
    };
    this.deps.metrics.record(
      this.channel.name,
      name,
      outcome.status === 'pending' ? 'retrying' : outcome.status,
    );
    if (outcome.status === 'delivered') {
      this.deps.logger.info(context, `notification ${alert.kind} (${alert.status}) delivered to ${name}`);
    } else if (outcome.status === 'pending') {
      this.deps.logger.warn(
        { ...context, error },
        `notification attempt ${number} to ${name} failed, next in ${Math.round((outcome.nextAttemptAtMs - finishedAtMs) / 1000)} s: ${error}`,
      );
    } else {
      this.deps.logger.error({ ...context, error }, `failed dispatching notification to provider: ${name}`);
    }
    // At-least-once: a crash between a successful send and this write sends the alert again on restart.
    try {
      await this.deps.outbox.recordAttempt(
        alert.id,
        name,
        { number, atMs, ...(error !== undefined && { error }) },
        outcome,
      );
    } catch (failure) {
      this.deps.logger.error(
        { err: failure, ...context },
        'cannot record a notification attempt in the outbox',
      );
      await this.pause(OUTBOX_RETRY_MS);
    }
  }

  /**
   * Given up once the alert had every scheduled attempt and is older than the schedule, else tried
   * again after the channel's current step. The step follows the channel's failures, or the alert's
   * own after a restart, so a new alert behind a failing one does not start the backoff over.
   */
  private afterFailure(delivery: Delivery, number: number, finishedAtMs: number): AttemptOutcome {
    const delays = this.deps.settings.retryDelaysMs;
    if (number > delays.length && finishedAtMs - delivery.createdAtMs >= this.retryForMs) {
      return { status: 'failed' };
    }
    const failures = Math.min(Math.max(this.failuresInARow, number), delays.length);
    const stepMs = Math.min(delays[failures - 1] ?? 0, MAX_RETRY_STEP_MS);
    return { status: 'pending', nextAttemptAtMs: finishedAtMs + stepMs };
  }
}
