import { createRequire } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);

/**
 * Node's `https` and `tls`, loaded by the first check that needs TLS: a fleet without https://
 * replicas or STARTTLS probes never loads them, which keeps ~1.4 MB off the idle process.
 */
export function tlsModules(): { https: typeof import('node:https'); tls: typeof import('node:tls') } {
  return {
    https: requireBuiltin('node:https') as typeof import('node:https'),
    tls: requireBuiltin('node:tls') as typeof import('node:tls'),
  };
}
