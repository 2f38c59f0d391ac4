import type { Logger } from 'pino';
import type { Clock } from '../time/clock.js';
import { VERSION } from '../version.js';
import type { Leadership, Membership } from './membership.js';

/** A dead man's switch answers at once; one that does not within this long counts as a failed call. */
const CALL_TIMEOUT_MS = 10_000;

/**
 * The outbound dead man's switch: while this member leads alerting, it calls `url` (GET) every
 * `intervalMs`, so an outside service (healthchecks.io, Dead Man's Snitch, Uptime Kuma's push
 * monitor…) raises the alarm when the calls stop: the whole cluster is down, or no member can lead.
 */
export class HeartbeatCaller {
  private cancel: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private failing = false;

  constructor(
    private readonly deps: {
      membership: Pick<Membership, 'onLeadership' | 'leadership' | 'holds'>;
      url: string;
      intervalMs: number;
      clock: Clock;
      logger: Pick<Logger, 'info' | 'warn'>;
    },
  ) {}

  start(): void {
    this.unsubscribe = this.deps.membership.onLeadership((leadership) => this.follow(leadership));
    this.follow(this.deps.membership.leadership);
  }

  stop(): void {
    this.unsubscribe?.();
    this.follow(undefined);
  }

  private follow(leadership: Leadership | undefined): void {
    this.cancel?.();
    this.cancel = undefined;
    if (!leadership) return;
    const { clock, intervalMs } = this.deps;
    let timer = clock.setTimeout(() => tick(), 0);
    const tick = () => {
      if (this.deps.membership.holds(leadership.token)) void this.call();
      timer = clock.setTimeout(tick, intervalMs);
    };
    this.cancel = () => clock.clearTimeout(timer);
  }

  private async call(): Promise<void> {
    const { url, logger } = this.deps;
    // Such URLs carry their secret in the path: the log names the origin only.
    const where = new URL(url).origin;
    try {
      const response = await fetch(url, {
        headers: { 'user-agent': `vigil-ts/${VERSION}` },
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
      await response.body?.cancel().catch(() => {});
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (this.failing) logger.info(`cluster: heartbeat_url at ${where} answers again`);
      this.failing = false;
    } catch (error) {
      if (!this.failing) {
        logger.warn(
          `cluster: heartbeat_url at ${where} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      this.failing = true;
    }
  }
}
