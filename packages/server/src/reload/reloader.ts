import type { Logger } from 'pino';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { type Settings, settingsFrom } from '../settings/settings.js';
import { describeDiff, diffSettings, isEmptyDiff, type SettingsDiff } from './diff.js';

/** What one reload did: took the new file, found nothing to change, refused it, or failed applying it. */
export type ReloadOutcome = 'applied' | 'unchanged' | 'refused' | 'failed';

export interface ReloaderOptions {
  /** The config file, read again on each reload. */
  path: string;
  /** Variables for `${NAME}` placeholders, as at start. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** The settings running now. */
  current: Settings;
  /** Puts new settings in place; it checks what can fail before it changes anything. */
  apply: (next: Settings, diff: SettingsDiff) => Promise<void>;
}

/**
 * Reloads the config file through the same pipeline as start (config/load.ts). An unusable file is
 * refused with every error logged, and the running config stays. Otherwise the differences are logged
 * and applied, except for the keys only a restart applies (server, storage, Prometheus, RabbitMQ, cluster,
 * subscriptions),
 * which keep their running value. Reloads run one at a time, in the order they were asked for.
 */
export class Reloader {
  private current: Settings;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: ReloaderOptions) {
    this.current = options.current;
  }

  get settings(): Settings {
    return this.current;
  }

  reload(): Promise<ReloadOutcome> {
    if (this.closed) return Promise.resolve('refused');
    const run = this.queue.then(() => this.run());
    this.queue = run;
    return run;
  }

  /** Takes no more reloads; resolves once the one under way (if any) is over, so stopping can follow. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  private async run(): Promise<ReloadOutcome> {
    const { path, env, logger } = this.options;
    let next: Settings;
    try {
      const loaded = loadConfigFile(path, { env });
      for (const warning of loaded.warnings) logger.warn(warning);
      next = settingsFrom(loaded.config);
    } catch (error) {
      const refused = `configuration reload refused, still running the previous one: ${path}`;
      if (!(error instanceof ConfigError)) {
        logger.error({ err: error }, refused);
        return 'refused';
      }
      for (const warning of error.warnings) logger.warn(warning);
      for (const message of error.messages) logger.error(message);
      logger.error(refused);
      return 'refused';
    }
    const diff = diffSettings(this.current, next);
    if (diff.restartNeeded.length > 0) {
      logger.warn(
        `configuration reload: ${diff.restartNeeded.join(', ')} changed, which only a restart applies; ` +
          'keeping the running value until then',
      );
    }
    // Sections only a restart applies stay as they run.
    const { server, storage, prometheus, rabbitmq, cluster, subscriptions } = this.current;
    const effective: Settings = { ...next, server, storage, prometheus, rabbitmq, cluster, subscriptions };
    const applicable = { ...diff, restartNeeded: [] };
    if (isEmptyDiff(applicable)) {
      logger.info(`configuration reloaded from ${path}: nothing to change`);
      return 'unchanged';
    }
    for (const line of describeDiff(applicable)) logger.info(`configuration reload: ${line}`);
    try {
      await this.options.apply(effective, applicable);
    } catch (error) {
      logger.error({ err: error }, `configuration reload failed while applying ${path}`);
      return 'failed';
    }
    this.current = effective;
    logger.info(`configuration reloaded from ${path}`);
    return 'applied';
  }
}
