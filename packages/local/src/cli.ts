import { parseArgs } from 'node:util';
import { ConfigError } from '@vigil-ts/server/config';
import { createLogger } from '@vigil-ts/server/log';
import { exitGracefullyOnSignals } from '@vigil-ts/server/process';
import { type LoadedLocalConfig, loadLocalConfigFile } from './config/load.js';
import { buildJobs } from './jobs.js';
import { startRelay } from './relay.js';
import { USER_AGENT, VERSION } from './version.js';

const USAGE = `Usage: vigil-local [-c FILE]             probe and report, until SIGINT or SIGTERM
       vigil-local check-config [-c FILE]  validate the config, print a summary, exit 0 or 1

Relays the health of private poll and script nodes to a Vigil or Vigil TS server.

Options:
  -c, --config <file>  configuration file (default: ./config.cfg)
  -V, --version        print the version
  -h, --help           print this help`;

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

function checkConfig(path: string): void {
  const { config, warnings } = loadOrExit(path);
  for (const warning of warnings) console.error(`warning: ${warning}`);
  const nodes = config.probe.service.reduce((count, service) => count + service.node.length, 0);
  const replicas = buildJobs(config, USER_AGENT).length;
  console.log(
    `${path}: ok, ${config.probe.service.length} services, ${nodes} nodes, ${replicas} replicas, ` +
      `reported to ${config.report.endpoint} every ${config.metrics.interval} s`,
  );
}

function run(path: string): void {
  const loaded = loadOrExit(path);
  const logger = createLogger({
    level: loaded.config.server.log_level,
    pretty: Boolean(process.stdout.isTTY),
  });
  logger.info(`starting up vigil-local ${VERSION} (Vigil TS) with ${path}`);
  for (const warning of loaded.warnings) logger.warn(warning);
  const relay = startRelay({ config: loaded.config, logger });
  exitGracefullyOnSignals({ logger, stop: () => relay.stop(), stoppedMessage: 'stopped' });
}

function main(argv: string[]): void {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help) console.log(USAGE);
  else if (values.version) console.log(`vigil-local ${VERSION} (Vigil TS)`);
  else if (command === undefined) run(values.config);
  else if (command === 'check-config' && rest.length === 0) checkConfig(values.config);
  else {
    console.error(`error: unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
    process.exit(2);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c', default: './config.cfg' },
      version: { type: 'boolean', short: 'V' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

main(process.argv.slice(2));
