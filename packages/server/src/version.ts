import { readFileSync } from 'node:fs';

/** The server package's version, read at run time so src (tests) and dist agree. */
export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
