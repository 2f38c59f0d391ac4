import { type Command, CommanderError, Option } from 'commander';

/** Exit status for a command line that cannot be understood; an invalid config exits 1. */
export const USAGE_ERROR_EXIT = 2;

export const DEFAULT_CONFIG_PATH = './config.cfg';

/**
 * `-c, --config <file>`. Commander reads `--config=FILE` itself but takes `-c=FILE`, as Vigil users
 * type it, as the path "=FILE"; the leading `=` is dropped (write `./=name` for a file named so).
 * The root command holds the default; a subcommand's copy has none, so that `configPathOf` can tell
 * `vigil -c FILE check-config` from `vigil check-config -c FILE`.
 */
export function configOption(scope: 'root' | 'subcommand'): Option {
  const description =
    scope === 'root' ? 'configuration file' : `configuration file (default: ${DEFAULT_CONFIG_PATH})`;
  const option = new Option('-c, --config <file>', description).argParser((value: string) =>
    value.replace(/^=/, ''),
  );
  return scope === 'root' ? option.default(DEFAULT_CONFIG_PATH) : option;
}

/** The config path a subcommand runs with: its own `-c`, else the one given before it, else the default. */
export function configPathOf(command: Command): string {
  const configOf = (owner: Command | null) => owner?.opts<{ config?: string }>().config;
  return configOf(command) ?? configOf(command.parent) ?? DEFAULT_CONFIG_PATH;
}

/**
 * For the root command's own action: a word that is no subcommand (`vigil check-confg`) gets
 * commander's "unknown command … (Did you mean check-config?)", not "too many arguments". The
 * root declares `[command]` for this; commander reports unknown commands only for roots without an
 * action, and this root's action is serving.
 */
export function rejectUnknownCommand(program: Command): void {
  if (program.args.length === 0) return;
  // Public in commander's JavaScript since v2, though missing from its type declarations.
  (program as Command & { unknownCommand(): never }).unknownCommand();
}

/**
 * Parses the command line and runs the chosen action. Help and version exit 0; anything commander
 * rejects (unknown command or option, missing value) exits with USAGE_ERROR_EXIT after its message.
 */
export async function runCommandLine(
  program: Command,
  argv: readonly string[] = process.argv,
): Promise<void> {
  const commands = (command: Command): Command[] => [command, ...command.commands.flatMap(commands)];
  for (const command of commands(program)) command.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR_EXIT);
  }
}
