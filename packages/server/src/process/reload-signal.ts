import type { Logger } from 'pino';

/**
 * On SIGHUP, reloads the configuration instead of dying (Node's default for the signal). The reload
 * logs its own outcome; the process keeps running whatever it is.
 */
export function reloadOnHangup({ logger, reload }: { logger: Logger; reload: () => Promise<unknown> }): void {
  const onHangup = () => {
    logger.info('SIGHUP received, reloading the configuration');
    reload().catch((error: unknown) => logger.error({ err: error }, 'configuration reload failed'));
  };
  process.on('SIGHUP', onHangup);
}
