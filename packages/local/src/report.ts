import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ProbeResult } from '@vigil-ts/server/probes';
import { describeError } from '@vigil-ts/server/probes/errors';
import { type Clock, sleep } from '@vigil-ts/server/time';

/** Vigil Local's report timeout, attempts and pause between attempts (spec §9). */
export const REPORT_TIMEOUT_MS = 10_000;
export const REPORT_ATTEMPTS = 4;
export const REPORT_RETRY_WAIT_MS = 2_000;

export interface HealthReport {
  serviceId: string;
  nodeId: string;
  replicaId: string;
  health: ProbeResult['health'];
  intervalSeconds: number;
}

export interface ReportClientOptions {
  /** The server's base URL, `[report] endpoint`; a sub-path is kept, a trailing slash dropped. */
  endpoint: string;
  token: string;
  userAgent: string;
  clock: Clock;
  timeoutMs?: number;
  attempts?: number;
  retryWaitMs?: number;
  /** Called after each failed attempt but the last, before the pause. */
  onRetry?: (report: HealthReport, attempt: number, reason: string) => void;
}

export type ReportOutcome = { ok: true; attempts: number } | { ok: false; attempts: number; reason: string };

/** Status codes a retry cannot fix, with what to look at. */
const STATUS_HINTS: Record<number, (report: HealthReport) => string> = {
  401: () => "is [report] token the server's reporter_token?",
  404: (report) => `does the server have service "${report.serviceId}" with node "${report.nodeId}"?`,
  412: (report) => `node "${report.nodeId}" must have mode = "local" on the server`,
};

/** Sends one request on a fresh connection and resolves with the status code. */
function post(url: URL, headers: Record<string, string>, body: Buffer, signal: AbortSignal): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // agent: false, a new connection each time: a keep-alive socket the server dropped on restart
    // can never fail the next report (upstream vigil-local #4).
    const outgoing = request(url, { method: 'POST', headers, agent: false, signal }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Vigil Local's report (spec §9): `POST <endpoint>/reporter/<service>/<node>/` with Basic auth
 * (empty user name), compact JSON `{"replica","health","interval"}`, 2xx is success, failures
 * retried. Never throws: the outcome says how it went, so the caller's loop always goes on.
 */
export function createReportClient(options: ReportClientOptions) {
  const {
    clock,
    timeoutMs = REPORT_TIMEOUT_MS,
    attempts = REPORT_ATTEMPTS,
    retryWaitMs = REPORT_RETRY_WAIT_MS,
  } = options;
  const base = options.endpoint.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`:${options.token}`).toString('base64')}`;

  async function attempt(report: HealthReport, signal: AbortSignal): Promise<string | undefined> {
    const path = `/reporter/${encodeURIComponent(report.serviceId)}/${encodeURIComponent(report.nodeId)}/`;
    const body = Buffer.from(
      JSON.stringify({ replica: report.replicaId, health: report.health, interval: report.intervalSeconds }),
    );
    const headers = {
      Authorization: authorization,
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
      'User-Agent': options.userAgent,
    };
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const status = await post(new URL(base + path), headers, body, AbortSignal.any([signal, timeout]));
      if (status >= 200 && status < 300) return undefined;
      const hint = STATUS_HINTS[status]?.(report);
      return hint ? `status ${status} (${hint})` : `status ${status}`;
    } catch (error) {
      return timeout.aborted ? `timed out after ${timeoutMs / 1000} s` : describeError(error);
    }
  }

  return async function send(report: HealthReport, signal: AbortSignal): Promise<ReportOutcome> {
    for (let count = 1; ; count++) {
      const reason = await attempt(report, signal);
      if (reason === undefined) return { ok: true, attempts: count };
      if (count >= attempts || signal.aborted) return { ok: false, attempts: count, reason };
      options.onRetry?.(report, count, reason);
      try {
        await sleep(clock, retryWaitMs, signal);
      } catch {
        return { ok: false, attempts: count, reason };
      }
    }
  };
}

export type ReportClient = ReturnType<typeof createReportClient>;
