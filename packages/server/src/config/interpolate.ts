/**
 * A `${NAME}` placeholder. The name may hold anything but `$`, `{` and `}`, so in `${A${B}}` only
 * `${B}` is a placeholder (Vigil's envsubst refuses such names and values altogether).
 */
const PLACEHOLDER = /\$\{([^${}]*)\}/g;

/**
 * Replaces each `${NAME}` in the raw config text with the value of the environment variable NAME,
 * before TOML parsing, as Vigil does (spec §3.1): values go in raw (not quoted or escaped), and
 * placeholders of undefined variables stay as they are. Unlike Vigil, values holding `$`, `{` or
 * `}` are fine: the text is scanned once, so an inserted value is never substituted again.
 */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(PLACEHOLDER, (placeholder, name: string) => {
    // hasOwn, so that `${constructor}` does not read the prototype of a plain env object.
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    return typeof value === 'string' ? value : placeholder;
  });
}

/** Names of the placeholders in `text`, e.g. to explain a syntax error next to one left as is. */
export function placeholderNames(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
}
