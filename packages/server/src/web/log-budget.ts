import type { Clock } from '../time/clock.js';

/** The one logging call the budget needs; pino and Fastify loggers have it. */
export interface WarnLogger {
  warn(fields: object, message: string): void;
}

export interface LogBudgetOptions {
  /** Lines allowed per window; the rest are counted, not written. */
  maxLines: number;
  windowMs: number;
  clock: Clock;
  logger: WarnLogger;
  /** Names what was held back, e.g. "failed authentication". */
  subject: string;
}

/**
 * Warnings that a client can trigger at will (wrong tokens, refused connections) must not let it
 * flood the log: at most `maxLines` per window, and one line telling how many were held back when
 * the next window's first warning comes.
 */
export class LogBudget {
  private windowStartMs = Number.NEGATIVE_INFINITY;
  private written = 0;
  private heldBack = 0;

  constructor(private readonly options: LogBudgetOptions) {}

  warn(fields: object, message: string): void {
    const { maxLines, windowMs, clock, logger, subject } = this.options;
    const now = clock.now();
    if (now - this.windowStartMs >= windowMs) {
      if (this.heldBack > 0) {
        logger.warn(
          { heldBack: this.heldBack },
          `${this.heldBack} more ${subject} warnings were not logged in the previous ${windowMs / 1000} s`,
        );
      }
      this.windowStartMs = now;
      this.written = 0;
      this.heldBack = 0;
    }
    if (this.written < maxLines) {
      this.written += 1;
      logger.warn(fields, message);
    } else {
      this.heldBack += 1;
    }
  }
}
