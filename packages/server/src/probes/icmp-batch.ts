/**
 * Gathers the echo requests that ICMP checks ask for within a few milliseconds and sends them with
 * one `fping` process, so 10,000 ICMP replicas cost tens of processes per round instead of 10,000.
 * Each request keeps its own reply wait and abort signal.
 */
import { describeError, ProbeFailure } from './errors.js';
import { noReplyReason, runFping } from './fping.js';

/** One echo request to one address; resolves with the RTT in ms, rejects with the reason. */
export type Pinger = (
  address: string,
  family: number,
  waitMs: number,
  signal: AbortSignal,
) => Promise<number>;

/** How long a batch stays open for more requests. Latency is fping's RTT, so this wait is not in it. */
export const BATCH_WINDOW_MS = 5;
/** Most addresses per fping process; a full batch is sent at once. */
export const MAX_BATCH_ADDRESSES = 1000;

interface Waiter {
  resolve(rttMs: number): void;
  reject(error: Error): void;
}

/** The requests for one reply wait: open while gathering, then in flight with one fping. */
class Batch {
  /** Waiters per address; an address asked for twice is pinged once. */
  readonly waiters = new Map<string, Set<Waiter>>();
  private readonly running = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private sent = false;

  constructor(readonly waitMs: number) {}

  get size(): number {
    return this.waiters.size;
  }

  add(address: string, waiter: Waiter): void {
    const waiters = this.waiters.get(address) ?? new Set<Waiter>();
    waiters.add(waiter);
    this.waiters.set(address, waiters);
  }

  /** Drops a waiter that gave up; a running fping is killed once nobody waits. */
  remove(address: string, waiter: Waiter): void {
    const waiters = this.waiters.get(address);
    waiters?.delete(waiter);
    if (waiters?.size === 0) this.waiters.delete(address);
    if (this.sent && this.waiters.size === 0) this.running.abort();
  }

  settle(address: string, settle: (waiter: Waiter) => void): void {
    for (const waiter of this.waiters.get(address) ?? []) settle(waiter);
    this.waiters.delete(address);
  }

  /**
   * Sends the batch after `delayMs` unless it fills up first. A plain timer, kept referenced: the
   * checks waiting on it must keep the process alive for those few ms, and nothing is timed by it.
   */
  closeAfter(delayMs: number, close: () => void): void {
    this.timer = setTimeout(close, delayMs);
  }

  async send(fpingPath: string): Promise<void> {
    clearTimeout(this.timer);
    this.sent = true;
    const addresses = [...this.waiters.keys()];
    if (addresses.length === 0) return;
    let failure: string | undefined;
    try {
      failure = await runFping(
        { path: fpingPath, addresses, waitMs: this.waitMs, signal: this.running.signal },
        {
          reply: (address, rttMs) => this.settle(address, (waiter) => waiter.resolve(rttMs)),
          failed: (address, reason) =>
            this.settle(address, (waiter) => waiter.reject(new ProbeFailure(reason))),
        },
      );
    } catch (error) {
      // spawn throws only on arguments it cannot pass (e.g. a NUL in the path); still, no check hangs.
      failure = `fping failed: ${describeError(error)}`;
    }
    for (const address of [...this.waiters.keys()]) {
      const reason = failure ?? noReplyReason(address, this.waitMs);
      this.settle(address, (waiter) => waiter.reject(new ProbeFailure(reason)));
    }
  }
}

/**
 * A Pinger that batches: requests with the same reply wait that arrive within BATCH_WINDOW_MS (at
 * most MAX_BATCH_ADDRESSES addresses) share one fping run. Results come back per address as fping
 * prints them, so one slow address does not hold up the others.
 */
export function createFpingBatcher(fpingPath: string): Pinger {
  /** The batch still gathering requests, per reply wait. */
  const open = new Map<number, Batch>();

  const send = (batch: Batch) => {
    if (open.get(batch.waitMs) === batch) open.delete(batch.waitMs);
    void batch.send(fpingPath);
  };

  return (address, _family, waitMs, signal) =>
    new Promise<number>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      let batch = open.get(waitMs);
      if (batch === undefined) {
        const created = new Batch(waitMs);
        created.closeAfter(BATCH_WINDOW_MS, () => send(created));
        open.set(waitMs, created);
        batch = created;
      }
      const onAbort = () => {
        batch.remove(address, waiter);
        reject(signal.reason);
      };
      const waiter: Waiter = {
        resolve: (rttMs) => {
          signal.removeEventListener('abort', onAbort);
          resolve(rttMs);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      batch.add(address, waiter);
      if (batch.size >= MAX_BATCH_ADDRESSES) send(batch);
    });
}
