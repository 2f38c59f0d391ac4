import ipaddr from 'ipaddr.js';
import type { Clock } from '../time/clock.js';
import { type BudgetLogger, LogBudget } from './log-budget.js';

export interface AuthThrottleOptions {
  /** Wrong tokens an address may send per window; past it, it gets 429 until the window ends. 0: never. */
  maxFailures: number;
  windowMs: number;
  clock: Clock;
  logger: BudgetLogger;
  /** Addresses remembered at once; the one that failed least recently is forgotten first. */
  maxAddresses?: number;
  /** Failure warnings per window over all addresses. */
  maxLogLinesPerWindow?: number;
}

/** What is logged about a failed attempt: never the credentials. */
export interface AuthAttempt {
  address: string;
  method: string;
  route: string;
}

interface FailureWindow {
  startMs: number;
  failures: number;
}

/** ~100 bytes each: a spray of addresses costs at most about 1 MB. */
const MAX_ADDRESSES = 10_000;
const MAX_LOG_LINES_PER_WINDOW = 50;

/**
 * Counts wrong tokens per client address in fixed windows, tells when an address must wait, and logs
 * failures within a budget. Only failures count: the reporters of a whole cluster behind one NAT send
 * the right token many times a second and must never be slowed down by it.
 */
export class AuthThrottle {
  private readonly windows = new Map<string, FailureWindow>();
  private readonly maxAddresses: number;
  private readonly log: LogBudget;

  constructor(private readonly options: AuthThrottleOptions) {
    this.maxAddresses = options.maxAddresses ?? MAX_ADDRESSES;
    this.log = new LogBudget({
      maxLines: options.maxLogLinesPerWindow ?? MAX_LOG_LINES_PER_WINDOW,
      windowMs: options.windowMs,
      clock: options.clock,
      logger: options.logger,
      subject: 'failed authentication',
    });
  }

  /** Whole seconds until `address` may try again; 0 when it may try now. */
  retryAfterSeconds(address: string): number {
    // The usual case, checked before parsing the address: the reporter's hot path pays nothing more.
    if (this.options.maxFailures === 0 || this.windows.size === 0) return 0;
    const window = this.currentWindow(clientGroup(address));
    if (!window || window.failures < this.options.maxFailures) return 0;
    return Math.ceil((window.startMs + this.options.windowMs - this.options.clock.now()) / 1000);
  }

  recordFailure(attempt: AuthAttempt): void {
    const group = clientGroup(attempt.address);
    const window = this.currentWindow(group) ?? { startMs: this.options.clock.now(), failures: 0 };
    window.failures += 1;
    // Re-inserted so the map's order is least recently failed first.
    this.windows.delete(group);
    this.windows.set(group, window);
    for (const oldest of this.windows.keys()) {
      if (this.windows.size <= this.maxAddresses) break;
      this.windows.delete(oldest);
    }

    // Per window, a warning when an address starts failing (a stale token looks like this too) and
    // an error, shown at Vigil's default log level, when it is refused (someone is guessing).
    const { maxFailures, windowMs } = this.options;
    if (window.failures === maxFailures) {
      const waitSeconds = Math.ceil((window.startMs + windowMs - this.options.clock.now()) / 1000);
      this.log.log(
        'error',
        { ...attempt, failures: window.failures },
        `${window.failures} failed authentications from ${attempt.address}: refused for ${waitSeconds} s`,
      );
    } else if (window.failures === 1) {
      this.log.log('warn', { ...attempt }, `authentication failed from ${attempt.address}`);
    }
  }

  private currentWindow(group: string): FailureWindow | undefined {
    const window = this.windows.get(group);
    if (window && this.options.clock.now() - window.startMs >= this.options.windowMs) {
      this.windows.delete(group);
      return undefined;
    }
    return window;
  }
}

/**
 * The unit an address is counted in: an IPv4 address (also when mapped into IPv6), or an IPv6 /64,
 * the block one host or home gets, so cycling through its own addresses gains an attacker nothing.
 */
export function clientGroup(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed instanceof ipaddr.IPv4) return parsed.toString();
  return `${new ipaddr.IPv6([...parsed.parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}
