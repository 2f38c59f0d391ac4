import { readFileSync } from 'node:fs';
import {
  ConfigError,
  type ConfigProblem,
  checkConfigDocument,
  describeIssue,
  describeOwner,
  formatKeyPath,
  interpolateEnv,
  type KeyPath,
  parseToml,
  rejectUnsetVariables,
  schemaAt,
  TomlError,
  valueAt,
  z,
} from '@vigil-ts/server/config';
import { type LocalConfig, localConfigSchema } from './schema.js';
import { validateLocalConfig } from './validate.js';

export interface LoadedLocalConfig {
  path: string;
  config: LocalConfig;
  /** Worded like errors; the relay runs, but some of the file may not do what its author expects. */
  warnings: string[];
}

export interface LoadOptions {
  /** Variables for `${NAME}` placeholders; the process environment by default. */
  env?: NodeJS.ProcessEnv;
}

/** Reads, interpolates, parses and checks a vigil-local config file. Throws ConfigError and nothing else. */
export function loadLocalConfigFile(path: string, options: LoadOptions = {}): LoadedLocalConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new ConfigError([`${path}: cannot read the configuration file: ${reason}`]);
  }
  return parseLocalConfigText(text, path, options);
}

/** The server's pipeline (spec §3.1) and wording, on the vigil-local schema; `path` only names the file. */
export function parseLocalConfigText(
  text: string,
  path: string,
  options: LoadOptions = {},
): LoadedLocalConfig {
  const env = options.env ?? process.env;
  const document = parseDocument(interpolateEnv(text, env), path);
  rejectUnsetVariables(text, document, env, path);
  const { config, warnings } = checkConfigDocument(document, path, {
    schema: localConfigSchema,
    validate: validateLocalConfig,
    unknownKeyWarning: (key) =>
      `${path}: unknown key "${formatKeyPath(key)}"${describeOwner(document, key)} is ignored: Vigil Local ignores it too`,
    describe,
  });
  return { path, config, warnings };
}

function parseDocument(text: string, file: string): unknown {
  try {
    return parseToml(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw new ConfigError([`${file}: cannot parse the file as TOML`]);
    // The first line only: the excerpt that follows may show a token inserted from the environment.
    const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    throw new ConfigError([`${file}:${error.line}:${error.column}: TOML syntax error: ${reason}`]);
  }
}

/**
 * The server's describeIssue knows the server schema only; the two cases it reads from that schema,
 * missing tables and numbers out of range, are worded here from the vigil-local schema instead.
 */
function describe(issue: z.core.$ZodIssue, document: unknown): ConfigProblem {
  const value = valueAt(document, issue.path);
  const schema = schemaAt(localConfigSchema, issue.path);
  if (value === undefined && schema instanceof z.ZodObject) {
    const table = formatKeyPath(
      issue.path.filter((segment): segment is string => typeof segment === 'string'),
    );
    return { path: [], message: `missing required table [${table}]` };
  }
  if (typeof value === 'number' && Number.isFinite(value) && schema instanceof z.ZodNumber) {
    return { path: issue.path as KeyPath, message: `must be ${describeRange(schema)}, got ${value}` };
  }
  return describeIssue(issue, document);
}

/** `an integer from 1 to 31536000`: every number of the schema has both bounds. */
function describeRange(schema: z.ZodNumber): string {
  return `${schema.isInt ? 'an integer' : 'a number'} from ${schema.minValue} to ${schema.maxValue}`;
}
