import { readFileSync } from 'node:fs';
import { parse, TomlError, type TomlTable } from 'smol-toml';
import type { z } from 'zod';
import {
  describeUnsetVariable,
  findUnsetVariables,
  interpolateEnv,
  placeholderNames,
} from './interpolate.js';
import { type ConfigProblem, describeOwner, formatKeyPath, formatProblem, type KeyPath } from './problems.js';
import { configSchema, type RawConfig } from './schema.js';
import { findUnknownKeys } from './schema-walk.js';
import { type ValidationResult, validateConfig } from './validate.js';
import { describeIssue, expandUnionIssue } from './zod-issues.js';

/** The config cannot be used. Each message names the file and, when there is one, the key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly messages: readonly string[],
    /** Warnings found before the errors; worth printing too, e.g. a misspelt key next to a missing one. */
    readonly warnings: readonly string[] = [],
  ) {
    super(messages.join('\n'));
  }
}

export interface LoadOptions {
  /** Variables for `${NAME}` placeholders; the process environment by default. */
  env?: NodeJS.ProcessEnv;
}

export interface LoadedConfig {
  path: string;
  /** Defaults applied; duplicate replica URLs within a node collapsed into one, as in Vigil. */
  config: RawConfig;
  /** Worded like errors; the config works, but some of it may not do what its author expects. */
  warnings: string[];
}

/** Reads, interpolates, parses and checks a Vigil config file. Throws ConfigError and nothing else. */
export function loadConfigFile(path: string, options: LoadOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${path}: cannot read the configuration file: ${describeReadError(error)}`]);
  }
  return parseConfigText(text, path, options);
}

/**
 * Same as loadConfigFile for text already in memory; `path` only names the file in messages.
 * All schema errors are reported together; the cross-key checks (validate.ts) run once the schema
 * passes, because they need well-typed values.
 */
export function parseConfigText(text: string, path: string, options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const document = parseToml(interpolateEnv(text, env), path);
  rejectUnsetVariables(text, document, env, path);
  const { config, warnings } = checkConfigDocument(document, path, {
    schema: configSchema,
    validate: validateConfig,
    unknownKeyWarning: (key) => unknownKeyWarning(path, document, key),
  });
  return { path, config: collapseDuplicateReplicas(config), warnings };
}

/**
 * Throws a ConfigError naming the file, line, key and variable of each `${NAME}` of an unset
 * variable that reached a value: left as is (as Vigil does) it would run with a token or URL that is
 * the placeholder itself. Such a variable is the cause of whatever else looks wrong, so it comes alone.
 */
export function rejectUnsetVariables(
  text: string,
  document: unknown,
  env: NodeJS.ProcessEnv,
  path: string,
): void {
  const unset = findUnsetVariables(text, document, env);
  if (unset.length > 0) {
    throw new ConfigError(unset.map((variable) => describeUnsetVariable(path, document, variable)));
  }
}

export interface ConfigChecks<Schema extends z.ZodType> {
  schema: Schema;
  /** The cross-key checks, on values the schema has already typed. */
  validate: (config: z.output<Schema>) => ValidationResult;
  unknownKeyWarning: (key: KeyPath) => string;
  /** Words one schema issue; describeIssue, which knows the server schema, by default. */
  describe?: (issue: z.core.$ZodIssue, document: unknown) => ConfigProblem;
}

/**
 * The checking half of the pipeline (spec §3.1), shared with packages/local: unknown keys become
 * warnings, all schema errors are reported together, and the cross-key checks run once the schema
 * passes. Throws ConfigError, carrying the warnings found so far, when the document is not usable.
 */
export function checkConfigDocument<Schema extends z.ZodType>(
  document: unknown,
  path: string,
  { schema, validate, unknownKeyWarning, describe = describeIssue }: ConfigChecks<Schema>,
): { config: z.output<Schema>; warnings: string[] } {
  const warnings = findUnknownKeys(schema, document).map(unknownKeyWarning);
  const parsed = schema.safeParse(document);
  if (!parsed.success) {
    const errors = parsed.error.issues
      .flatMap(expandUnionIssue)
      .map((issue) => formatProblem(path, document, describe(issue, document)));
    throw new ConfigError(errors, warnings);
  }
  const checked = validate(parsed.data);
  warnings.push(...checked.warnings.map((problem) => formatProblem(path, document, problem)));
  if (checked.errors.length > 0) {
    throw new ConfigError(
      checked.errors.map((problem) => formatProblem(path, document, problem)),
      warnings,
    );
  }
  return { config: parsed.data, warnings };
}

function parseToml(text: string, file: string): TomlTable {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) {
      throw new ConfigError([`${file}: cannot parse the file as TOML: ${String(error)}`]);
    }
    // The first line only: the code excerpt that follows may show secrets inserted from the environment.
    const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    const [leftPlaceholder] = placeholderNames(text.split('\n')[error.line - 1] ?? '');
    const hint =
      leftPlaceholder === undefined
        ? ''
        : ` (this line still holds \${${leftPlaceholder}}: is that environment variable set? ` +
          'Placeholders of unset variables are left as they are)';
    throw new ConfigError([`${file}:${error.line}:${error.column}: TOML syntax error: ${reason}${hint}`]);
  }
}

const METRICS_KEYS = new Set(Object.keys(configSchema.shape.metrics.shape));

function unknownKeyWarning(file: string, document: unknown, path: KeyPath): string {
  const key = String(path.at(-1));
  const insideProbe = path[0] === 'probe';
  const reason =
    insideProbe && METRICS_KEYS.has(key)
      ? 'metrics are global, set it under [metrics] (Vigil ignores it too; see upstream issues #98 and #109)'
      : 'Vigil ignores it too';
  return `${file}: unknown key "${formatKeyPath(path)}"${describeOwner(document, path)} is ignored: ${reason}`;
}

function collapseDuplicateReplicas(config: RawConfig): RawConfig {
  const service = config.probe.service.map((entry) => ({
    ...entry,
    node: entry.node.map((node) =>
      node.replicas ? { ...node, replicas: [...new Set(node.replicas)] } : node,
    ),
  }));
  return { ...config, probe: { ...config.probe, service } };
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory, not a file';
  return error instanceof Error ? error.message : String(error);
}
