import { Command } from 'commander';
import { ConfigError, type LoadedConfig, loadConfigFile } from './config/load.js';
import { configuredReplicaCount, summarizeConfig } from './config/summary.js';
import { createLogger } from './log/logger.js';
import { logStartLine } from './log/start-line.js';
import { startVigil } from './main.js';
import { runNotifyTest } from './notify/notify-test.js';
import { configOption, configPathOf, rejectUnknownCommand, runCommandLine } from './process/command-line.js';
import {
  QUIET_START_MAX_REPLICAS,
  shrinkHeapWhenIdle,
  smallHeapChosenByOperator,
} from './process/idle-heap.js';
import { trimFreedMemory } from './process/malloc-trim.js';
import { reloadOnHangup } from './process/reload-signal.js';
import { exitGracefullyOnSignals } from './process/shutdown.js';
import { settingsFrom } from './settings/settings.js';
import { BackupError, backupSqliteStore } from './store/backup.js';
import { systemClock } from './time/clock.js';
import { VERSION } from './version.js';

/** Loads the config or exits 1 with every problem on stderr. */
function loadOrExit(path: string): LoadedConfig {
  try {
    return loadConfigFile(path, { env: process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const message of error.messages) console.error(`error: ${message}`);
    // A misspelt key often explains the missing-key error beside it.
    for (const warning of error.warnings) console.error(`warning: ${warning}`);
    process.exit(1);
  }
}

async function serve(configPath: string, watch: boolean): Promise<void> {
  const loaded = loadOrExit(configPath);
  const logger = createLogger({
    level: loaded.config.server.log_level,
    pretty: Boolean(process.stdout.isTTY),
  });
  // The young generation is given back while idle and grows under load, and the compilers run only
  // when there is work (docs/performance.md); set up before the start, whose prober thread must not
  // inherit the small heap `bin/vigil.js` loaded with.
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const stopShrinking = smallHeapChosenByOperator()
    ? undefined
    : shrinkHeapWhenIdle({
        clock: systemClock,
        trim: trimFreedMemory,
        compilersBack: configuredReplicaCount(loaded.config) <= QUIET_START_MAX_REPLICAS ? started : 'now',
      });
  const starting = startVigil({ loaded, logger, watch });
  starting.then(markStarted, markStarted);
  // At once: a SIGHUP during the start reloads once it is done, instead of killing the process.
  reloadOnHangup({ logger, reload: () => starting.then((vigil) => vigil.reload()) });
  let running: Awaited<typeof starting>;
  try {
    running = await starting;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(
      `error: could not start on ${loaded.config.server.inet}: ${code ?? (error as Error).message}`,
    );
    process.exit(1);
  }
  exitGracefullyOnSignals({
    logger,
    stop: () => {
      stopShrinking?.();
      return running.stop();
    },
  });
  // Last, so that a signal sent once this line is out is always a graceful stop.
  logStartLine(
    logger,
    `Vigil TS ${VERSION} started with ${configPath}, listening on ${running.url}: ` +
      summarizeConfig(loaded.config),
  );
}

function checkConfig(configPath: string): void {
  const loaded = loadOrExit(configPath);
  for (const warning of loaded.warnings) console.error(`warning: ${warning}`);
  console.log(`${configPath}: ok, ${summarizeConfig(loaded.config)}`);
}

/** Sends a marked test alert through the configured channels; exit 0 only if every one took it. */
async function notifyTest(configPath: string, channel: string | undefined): Promise<void> {
  const loaded = loadOrExit(configPath);
  for (const warning of loaded.warnings) console.error(`warning: ${warning}`);
  let outcomes: Awaited<ReturnType<typeof runNotifyTest>>;
  try {
    outcomes = await runNotifyTest(settingsFrom(loaded.config), { only: channel });
  } catch (error) {
    console.error(`error: ${configPath}: ${(error as Error).message}`);
    process.exit(1);
  }
  for (const { channel: name, durationMs, error } of outcomes) {
    console.log(
      error === undefined
        ? `${name}: ok (${durationMs} ms)`
        : `${name}: failed after ${durationMs} ms: ${error}`,
    );
  }
  process.exit(outcomes.every((outcome) => outcome.error === undefined) ? 0 : 1);
}

/** Copies the configured SQLite store to `file`, consistently, while the server may run. */
async function backup(configPath: string, file: string): Promise<void> {
  const { config } = loadOrExit(configPath);
  try {
    const { source, destination, bytes } = await backupSqliteStore(config.storage, file);
    console.log(`backed up ${source} to ${destination} (${bytes} bytes)`);
  } catch (error) {
    const reason =
      error instanceof BackupError ? error.message : `backup failed: ${(error as Error).message}`;
    console.error(`error: ${reason}`);
    process.exit(1);
  }
}

const program = new Command('vigil')
  .description('Vigil TS: status page, monitoring and alerting, compatible with Vigil configs and reporters')
  .version(`vigil ${VERSION} (Vigil TS)`, '-V, --version')
  // Options after a subcommand name belong to the subcommand (`vigil check-config -c FILE`).
  .enablePositionalOptions()
  .addOption(configOption('root'))
  .option('--watch', 'reload the configuration when the file changes (as SIGHUP does)')
  .argument('[command]')
  .usage('[options] [command]')
  .action((_command: string | undefined, options: { config: string; watch?: boolean }) => {
    rejectUnknownCommand(program);
    return serve(options.config, options.watch === true);
  });

program
  .command('check-config')
  .description('validate a configuration file, print a summary, exit 0 when valid and 1 when not')
  .addOption(configOption('subcommand'))
  .action((_options, command: Command) => checkConfig(configPathOf(command)));

program
  .command('notify-test')
  .description('send a test alert through each configured notifier and report each outcome')
  .addOption(configOption('subcommand'))
  .option('--channel <name>', 'only this notifier (e.g. slack) or one target of it (e.g. slack#ops)')
  .action((options: { channel?: string }, command: Command) =>
    notifyTest(configPathOf(command), options.channel),
  );

program
  .command('backup')
  .description('copy the SQLite store to <file> while the server runs (PostgreSQL: use pg_dump)')
  .argument('<file>', 'where to write the copy')
  .addOption(configOption('subcommand'))
  .action((file: string, _options, command: Command) => backup(configPathOf(command), file));

await runCommandLine(program);
