import type { Clock } from '../time/clock.js';

/** The logging calls the budget needs; pino and Fastify loggers have them. */
export interface BudgetLogger {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export type BudgetLevel = keyof BudgetLogger;

export interface LogBudgetOptions {
  /** Lines allowed per window; the rest are counted, not written. */
  maxLines: number;
  windowMs: number;
  clock: Clock;
  logger: BudgetLogger;
  /** Names what was held back, e.g. "failed authentication". */
  subject: string;
}

/**
 * Lines that a client can trigger at will (wrong tokens, refused connections) must not let it flood
 * the log: at most `maxLines` per window, and one line telling how many were held back when the
 * next window's first line comes.
 */
export class LogBudget {
  private windowStartMs = Number.NEGATIVE_INFINITY;
  private written = 0;
  private heldBack = 0;
  /** The summary is as severe as the worst line it stands for. */
  private heldBackLevel: BudgetLevel = 'warn';

  constructor(private readonly options: LogBudgetOptions) {}

  log(level: BudgetLevel, fields: object, message: string): void {
    const { maxLines, windowMs, clock, logger, subject } = this.options;
    const now = clock.now();
    if (now - this.windowStartMs >= windowMs) {
      if (this.heldBack > 0) {
        logger[this.heldBackLevel](
          { heldBack: this.heldBack },
          `${this.heldBack} more ${subject} lines were not logged in the previous ${windowMs / 1000} s`,
        );
      }
      this.windowStartMs = now;
      this.written = 0;
      this.heldBack = 0;
      this.heldBackLevel = 'warn';
    }
    if (this.written < maxLines) {
      this.written += 1;
      logger[level](fields, message);
    } else {
      this.heldBack += 1;
      if (level === 'error') this.heldBackLevel = 'error';
    }
  }
}
