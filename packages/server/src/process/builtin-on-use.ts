import { createRequire } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);

/**
 * One of Node's built-in modules, loaded at the first call rather than with the importing module:
 * each costs the process memory for good once loaded (~0.3–2 MB), and a config that never uses the
 * feature needing it (TLS checks, ICMP) never loads it. Later calls are a lookup in the module cache.
 */
export function builtinOnUse<Module>(id: `node:${string}`): () => Module {
  return () => requireBuiltin(id) as Module;
}
