import { Command } from 'commander';
import { ConfigError, type LoadedConfig, loadConfigFile } from './config/load.js';
import { summarizeConfig } from './config/summary.js';
import { createLogger } from './log/logger.js';
import { startVigil } from './main.js';
import { runNotifyTest } from './notify/notify-test.js';
import { exitGracefullyOnSignals } from './process/shutdown.js';
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

async function serve(configPath: string): Promise<void> {
  const loaded = loadOrExit(configPath);
  const logger = createLogger({
    level: loaded.config.server.log_level,
    pretty: Boolean(process.stdout.isTTY),
  });
  logger.info(`starting up Vigil TS ${VERSION} with ${configPath}`);
  let running: Awaited<ReturnType<typeof startVigil>>;
  try {
    running = await startVigil({ loaded, logger });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(
      `error: could not start on ${loaded.config.server.inet}: ${code ?? (error as Error).message}`,
    );
    process.exit(1);
  }
  exitGracefullyOnSignals({ logger, stop: () => running.stop() });
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
    outcomes = await runNotifyTest(loaded.config, { only: channel });
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

const program = new Command('vigil')
  .description('Vigil TS: status page, monitoring and alerting, compatible with Vigil configs and reporters')
  .version(`vigil ${VERSION} (Vigil TS)`, '-V, --version')
  // Options after a subcommand name belong to the subcommand (`vigil check-config -c FILE`).
  .enablePositionalOptions()
  .option('-c, --config <file>', 'configuration file', './config.cfg')
  .action((options: { config: string }) => serve(options.config));

program
  .command('check-config')
  .description('validate a configuration file, print a summary, exit 0 when valid and 1 when not')
  .option('-c, --config <file>', 'configuration file', './config.cfg')
  .action((options: { config: string }) => checkConfig(options.config));

program
  .command('notify-test')
  .description('send a test alert through each configured notifier and report each outcome')
  .option('-c, --config <file>', 'configuration file', './config.cfg')
  .option('--channel <name>', 'only this notifier, e.g. slack')
  .action((options: { config: string; channel?: string }) => notifyTest(options.config, options.channel));

await program.parseAsync();
