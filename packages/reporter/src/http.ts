import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Request {
  method: 'POST' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Aborts the request early (the reporter is ending). */
  signal: AbortSignal;
}

/**
 * Sends one request on a fresh connection and resolves with the status code; rejects on network
 * errors, on timeout (the whole exchange, not just socket idleness) and on abort.
 */
export function send(request: Request): Promise<number> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout]);
  const transport = request.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // agent: false: a keep-alive socket the server closed (e.g. on restart) cannot fail the next report.
    const outgoing = transport(
      request.url,
      { method: request.method, headers: request.headers, agent: false, signal },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    outgoing.on('error', (error) =>
      reject(timeout.aborted ? new Error(`timed out after ${request.timeoutMs / 1000} s`) : error),
    );
    outgoing.end(request.body);
  });
}
