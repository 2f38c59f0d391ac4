import { send } from './http.js';
import { readSystemLoad } from './load.js';
import {
  normalizeOptions,
  type ReporterConsole,
  type Settings,
  type VigilReporterOptions,
} from './options.js';

/** node-vigil-reporter's timeouts for a report and for the flush. */
export const REPORT_TIMEOUT_MS = 10_000;
export const FLUSH_TIMEOUT_MS = 5_000;

export type EndCallback = (error: Error | null) => void;

export interface EndOptions {
  /** Also remove this replica from the server, so the page does not show it dead. */
  flush?: boolean;
  /** Called once ended, with the flush error if any (node-vigil-reporter's callback). */
  done?: EndCallback;
}

/**
 * Milliseconds to the next report: `interval` after a success; after failures, `interval / 2` as
 * node-vigil-reporter does, doubling with each further failure but never above `interval`, so a
 * recovered server hears from us within one interval while a down one gets no extra traffic.
 */
export function nextReportDelayMs(intervalSeconds: number, consecutiveFailures: number): number {
  const intervalMs = intervalSeconds * 1000;
  if (consecutiveFailures === 0) return intervalMs;
  return Math.min(intervalMs, (intervalMs / 2) * 2 ** (consecutiveFailures - 1));
}

/**
 * Pushes this host's load to a Vigil push node every `interval` seconds (spec §2.4, §10). A drop-in
 * for node-vigil-reporter: same options and request, plus a promise from `end()`, which works even
 * while a report is in flight.
 */
export class VigilReporter {
  readonly #settings: Settings;
  readonly #authorization: string;
  readonly #basePath: string;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: { controller: AbortController; settled: Promise<void> } | undefined;
  #failures = 0;
  #ending: Promise<void> | undefined;

  constructor(options: VigilReporterOptions) {
    this.#settings = normalizeOptions(options);
    this.#authorization = `Basic ${Buffer.from(`:${this.#settings.token}`).toString('base64')}`;
    // A sub-path server (`https://example.com/status/`) keeps its path, without the trailing slash.
    this.#basePath = this.#settings.url.pathname.replace(/\/+$/, '');
    this.#schedule(this.#settings.startDelayMs);
  }

  /**
   * Stops reporting; a report in flight is aborted first. With `flush`, then removes the replica
   * from the server (`DELETE`, 5 s timeout). Resolves when done, rejects when the flush fails (a
   * promise nobody awaits never becomes an unhandled rejection). Later calls return the first
   * call's promise. A function argument is taken as `done`, as node-vigil-reporter 1.2 accepted.
   */
  end(options: EndOptions | EndCallback = {}): Promise<void> {
    const { flush = false, done } = typeof options === 'function' ? { done: options } : options;
    if (!this.#ending) {
      this.#ending = this.#stop(flush);
      this.#ending.catch((error: Error) => this.#log('error', error.message));
    }
    if (done) this.#ending.then(() => done(null), done);
    return this.#ending;
  }

  async #stop(flush: boolean): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#inFlight) {
      this.#inFlight.controller.abort();
      await this.#inFlight.settled;
    }
    if (!flush) return;
    const path = `${this.#replicaPath()}${encodeURIComponent(this.#settings.replicaId)}/`;
    let status: number;
    try {
      status = await this.#request('DELETE', path, undefined, FLUSH_TIMEOUT_MS, new AbortController().signal);
    } catch (error) {
      throw new Error(`Flush failed: ${(error as Error).message}`, { cause: error });
    }
    if (status !== 200) throw new Error(`Flush failed: status ${status}`);
    this.#log('info', 'Flushed replica');
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#tick();
    }, delayMs);
    // A reporter must never keep an app that wants to exit alive.
    this.#timer.unref();
  }

  #tick(): void {
    const controller = new AbortController();
    const settled = this.#report(controller.signal).then((ok) => {
      this.#inFlight = undefined;
      if (this.#ending) return;
      this.#failures = ok ? 0 : this.#failures + 1;
      const delayMs = nextReportDelayMs(this.#settings.intervalSeconds, this.#failures);
      this.#log('log', `Scheduled next request in ${delayMs / 1000} secs`);
      this.#schedule(delayMs);
    });
    this.#inFlight = { controller, settled };
  }

  /** One report; resolves true on HTTP 200 (the only success node-vigil-reporter knows). Never rejects. */
  async #report(signal: AbortSignal): Promise<boolean> {
    const { replicaId, intervalSeconds } = this.#settings;
    const payload = { replica: replicaId, interval: intervalSeconds, load: readSystemLoad() };
    try {
      const status = await this.#request(
        'POST',
        this.#replicaPath(),
        JSON.stringify(payload),
        REPORT_TIMEOUT_MS,
        signal,
      );
      if (status === 200) {
        this.#log('info', 'Request succeeded', payload);
        return true;
      }
      this.#log('error', `Failed dispatching request: status ${status}`);
    } catch (error) {
      if (!signal.aborted) this.#log('error', 'Request error', error);
    }
    return false;
  }

  /** `<base>/reporter/<probe>/<node>/`, ids percent-encoded. */
  #replicaPath(): string {
    const { probeId, nodeId } = this.#settings;
    return `${this.#basePath}/reporter/${encodeURIComponent(probeId)}/${encodeURIComponent(nodeId)}/`;
  }

  #request(
    method: 'POST' | 'DELETE',
    path: string,
    body: string | undefined,
    timeoutMs: number,
    signal: AbortSignal,
  ) {
    const headers: Record<string, string> = { Authorization: this.#authorization };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json; charset=utf-8';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const url = new URL(path, this.#settings.url);
    return send({ method, url, headers, timeoutMs, signal, ...(body === undefined ? {} : { body }) });
  }

  #log(level: keyof ReporterConsole, message: string, data?: unknown): void {
    const method = this.#settings.console?.[level];
    if (!method) return;
    const text = `Vigil Reporter: ${message}`;
    if (data === undefined) method.call(this.#settings.console, text);
    else method.call(this.#settings.console, text, data);
  }
}
