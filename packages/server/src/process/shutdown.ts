import type { Logger } from 'pino';

// The CLIs' shared command-line handling, exported here as this file is the package's `./process` entry.
export * from './command-line.js';

/** A stop that takes longer than this is cut short: a supervisor is waiting to restart us. */
export const SHUTDOWN_DEADLINE_MS = 5000;

export interface GracefulShutdownOptions {
  logger: Logger;
  /** Stops the running service; the process exits 0 once it resolves and the logger is flushed. */
  stop: () => Promise<void>;
  /** Logged at info once `stop` resolves, right before the flush. */
  stoppedMessage?: string;
  deadlineMs?: number;
}

/**
 * On SIGINT or SIGTERM, stops the service and exits 0 after flushing the logger.
 * A second signal exits 1 at once, and so does a stop that fails or outlasts the deadline.
 */
export function exitGracefullyOnSignals({
  logger,
  stop,
  stoppedMessage,
  deadlineMs = SHUTDOWN_DEADLINE_MS,
}: GracefulShutdownOptions): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info(`${signal} received, shutting down`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${deadlineMs} ms, exiting anyway`);
      process.exit(1);
    }, deadlineMs).unref();
    stop().then(
      () => {
        if (stoppedMessage !== undefined) logger.info(stoppedMessage);
        logger.flush(() => process.exit(0));
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
