import { ConfigError } from '@vigil-ts/server/config';
import { createLogger, logStartLine } from '@vigil-ts/server/log';
import { redactUrl } from '@vigil-ts/server/probes';
import {
  configOption,
  configPathOf,
  exitGracefullyOnSignals,
  rejectUnknownCommand,
  runCommandLine,
} from '@vigil-ts/server/process';
import { Command } from 'commander';
import { type LoadedLocalConfig, loadLocalConfigFile } from './config/load.js';
import type { LocalConfig } from './config/schema.js';
import { buildJobs } from './jobs.js';
import { startRelay } from './relay.js';
import { USER_AGENT, VERSION } from './version.js';

/** Loads the config or exits 1 with every problem on stderr. */
function loadOrExit(path: string): LoadedLocalConfig {
  try {
    return loadLocalConfigFile(path, { env: process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const message of error.messages) console.error(`error: ${message}`);
    for (const warning of error.warnings) console.error(`warning: ${warning}`);
    process.exit(1);
  }
}

/** `1 services, 2 nodes, 3 replicas, reported to https://status.example.com every 120 s` */
function summarize(config: LocalConfig): string {
  const nodes = config.probe.service.reduce((count, service) => count + service.node.length, 0);
  const replicas = buildJobs(config, USER_AGENT).length;
  return (
    `${config.probe.service.length} services, ${nodes} nodes, ${replicas} replicas, ` +
    `reported to ${redactUrl(config.report.endpoint)} every ${config.metrics.interval} s`
  );
}

function checkConfig(path: string): void {
  const { config, warnings } = loadOrExit(path);
  for (const warning of warnings) console.error(`warning: ${warning}`);
  console.log(`${path}: ok, ${summarize(config)}`);
}

function run(path: string): void {
  const loaded = loadOrExit(path);
  const logger = createLogger({
    level: loaded.config.server.log_level,
    pretty: Boolean(process.stdout.isTTY),
  });
  for (const warning of loaded.warnings) logger.warn(warning);
  const relay = startRelay({ config: loaded.config, logger });
  exitGracefullyOnSignals({ logger, stop: () => relay.stop(), stoppedMessage: 'stopped' });
  // Last, so that a signal sent once this line is out is always a graceful stop.
  logStartLine(
    logger,
    `vigil-local ${VERSION} (Vigil TS) started with ${path}: ${summarize(loaded.config)}, ` +
      `${loaded.config.metrics.parallelism} at a time`,
  );
}

const program = new Command('vigil-local')
  .description('Relays the health of private poll and script nodes to a Vigil or Vigil TS server.')
  .version(`vigil-local ${VERSION} (Vigil TS)`, '-V, --version')
  .helpOption('-h, --help', 'print this help')
  // Options after a subcommand name belong to the subcommand (`vigil-local check-config -c FILE`).
  .enablePositionalOptions()
  .addOption(configOption('root'))
  .argument('[command]')
  .usage('[-c FILE] [command]    probe and report, until SIGINT or SIGTERM')
  .action((_command: string | undefined, options: { config: string }) => {
    rejectUnknownCommand(program);
    run(options.config);
  });

program
  .command('check-config')
  .description('validate the config, print a summary, exit 0 when valid and 1 when not')
  .addOption(configOption('subcommand'))
  .action((_options, command: Command) => checkConfig(configPathOf(command)));

await runCommandLine(program);
