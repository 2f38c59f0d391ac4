import type { Logger } from 'pino';

/**
 * Logs the one line that says the process is up and what it runs, at info but whatever the
 * configured level: Vigil's default level is `error`, which would otherwise leave a healthy start
 * silent. Only `off` silences it.
 */
export function logStartLine(logger: Logger, message: string): void {
  if (logger.level === 'silent') return;
  logger.child({}, { level: 'info' }).info(message);
}
