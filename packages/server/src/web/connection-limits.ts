import type { Server } from 'node:http';
import type { ServerConfig } from '../config/schema.js';
import type { Clock } from '../time/clock.js';
import { type BudgetLogger, LogBudget } from './log-budget.js';

/** How often Node looks for requests past their deadline: a slow client is cut at most this late. */
const DEADLINE_CHECK_INTERVAL_MS = 1000;
const DROP_LOG_WINDOW_MS = 60_000;
const DROP_LOG_LINES_PER_WINDOW = 5;

/**
 * Fastify's server options for `[server]`'s timeouts. `request_timeout` bounds the time to receive a
 * whole request, headers and body, and also a connection that sends nothing at all; a response that
 * streams for long (the page's live updates) is not a request still arriving, so it is never cut.
 */
export function serverTimeouts(server: ServerConfig) {
  const requestTimeoutMs = server.request_timeout * 1000;
  return {
    requestTimeout: requestTimeoutMs,
    // Vigil's actix-web closes idle connections after 5 s; clients that time out idle sockets
    // themselves (the published reporters do) expect the server to close first.
    keepAliveTimeout: server.keep_alive_timeout * 1000,
    http: {
      headersTimeout: requestTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(DEADLINE_CHECK_INTERVAL_MS, requestTimeoutMs),
    },
  };
}

/**
 * Caps open connections so a flood cannot exhaust the process's file descriptors: past `max`, Node
 * closes each new connection at once while those open are served. Refusals are logged within a budget.
 */
export function limitConnections(server: Server, max: number, clock: Clock, logger: BudgetLogger): void {
  server.maxConnections = max;
  const log = new LogBudget({
    maxLines: DROP_LOG_LINES_PER_WINDOW,
    windowMs: DROP_LOG_WINDOW_MS,
    clock,
    logger,
    subject: 'refused connection',
  });
  server.on('drop', (connection) => {
    log.log(
      'error',
      { address: connection?.remoteAddress, maxConnections: max },
      `connection refused: ${max} connections are open ([server] max_connections)`,
    );
  });
}
