import { readFileSync } from 'node:fs';

/** This package's version, read at run time so src (tests) and dist agree. */
export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Vigil Local sends `vigil-local/1.2.6` on probes and reports; ours keeps the name with our version. */
export const USER_AGENT = `vigil-local/${VERSION}`;
