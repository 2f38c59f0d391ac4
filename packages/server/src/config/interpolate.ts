import { describeOwner, formatKeyPath, type KeyPath } from './problems.js';

/**
 * A `${NAME}` or `${NAME:-default}` placeholder. Name and default may hold anything but `$`, `{` and
 * `}` (and the name no `:`), so in `${A${B}}` only `${B}` is a placeholder (Vigil's envsubst refuses
 * such names and values altogether).
 */
const PLACEHOLDER = /\$\{([^${}:]*)(?::-([^${}]*))?\}/g;

/** What a shell accepts as a variable name; other `${…}` are text, never reported as unset. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The variable's value, or undefined; hasOwn, so that `${constructor}` does not read a prototype. */
function lookUp(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = Object.hasOwn(env, name) ? env[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Replaces each `${NAME}` in the raw config text with the value of the environment variable NAME,
 * before TOML parsing, as Vigil does (spec §3.1): values go in raw (not quoted or escaped), and
 * placeholders of undefined variables stay as they are (findUnsetVariables then reports those that
 * reach a value). `${NAME:-default}` gives the default when NAME is unset or empty, as in a shell;
 * Vigil has no such form. Unlike Vigil, values holding `$`, `{` or `}` are fine: the text is scanned
 * once, so an inserted value is never substituted again.
 */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(PLACEHOLDER, (placeholder, name: string, fallback: string | undefined) => {
    const value = lookUp(env, name);
    if (fallback !== undefined) return value === undefined || value === '' ? fallback : value;
    return value ?? placeholder;
  });
}

/** Names of the placeholders in `text`, e.g. to explain a syntax error next to one left as is. */
export function placeholderNames(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
}

/** A `${NAME}` whose variable is not set, left in a config value. */
export interface UnsetVariable {
  name: string;
  path: KeyPath;
  /** 1-based line of the placeholder in the file, when it can be told. */
  line?: number;
}

/**
 * The `${NAME}` placeholders (without a default) of `text` whose variable `env` lacks and which
 * ended up in a value of the parsed `document`. Placeholders in comments are ignored, and so are
 * those in `scripts`, where `${NAME}` is the shell's own syntax, expanded when the script runs.
 */
export function findUnsetVariables(text: string, document: unknown, env: NodeJS.ProcessEnv): UnsetVariable[] {
  const unset = new Set(
    [...text.matchAll(PLACEHOLDER)]
      .filter(([, name = '', fallback]) => fallback === undefined && VARIABLE_NAME.test(name))
      .map(([, name = '']) => name)
      .filter((name) => lookUp(env, name) === undefined),
  );
  if (unset.size === 0) return [];
  const lines = text.split('\n');
  const found: UnsetVariable[] = [];
  for (const [path, value] of stringValues(document, [])) {
    if (isScript(path)) continue;
    for (const [placeholder, name = ''] of value.matchAll(PLACEHOLDER)) {
      if (!unset.has(name)) continue;
      const index = lines.findIndex(
        (line) => !line.trimStart().startsWith('#') && line.includes(placeholder),
      );
      found.push({ name, path, ...(index === -1 ? {} : { line: index + 1 }) });
    }
  }
  return found;
}

/** `file:12: server.manager_token: ${TOKEN} names an environment variable that is not set; …` */
export function describeUnsetVariable(file: string, document: unknown, variable: UnsetVariable): string {
  const where = variable.line === undefined ? file : `${file}:${variable.line}`;
  const owner = describeOwner(document, variable.path);
  return (
    `${where}: ${formatKeyPath(variable.path)}${owner}: \${${variable.name}} names an environment variable ` +
    `that is not set; set it, or give a default as in \${${variable.name}:-value}`
  );
}

function* stringValues(value: unknown, path: KeyPath): Generator<[KeyPath, string]> {
  if (typeof value === 'string') {
    yield [path, value];
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* stringValues(item, [...path, index]);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) yield* stringValues(item, [...path, key]);
  }
}

/** `probe.service[i].node[j].scripts[k]` */
function isScript(path: KeyPath): boolean {
  return path.length === 7 && path[0] === 'probe' && path[3] === 'node' && path[5] === 'scripts';
}
