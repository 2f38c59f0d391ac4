import { type LoadedConfig, parseConfigText } from '../../packages/server/src/config/load.js';
import { BASE_CONFIG } from '../../packages/server/test/helpers/config.js';

export const SERVICE_ID = 'web';

/** The push node the reporter benchmark reports to: POST /reporter/web/h1/. */
export const PUSH_NODE_ID = 'h1';

/** `count` push nodes `h1`, `h2`, … (they start empty; reports add replicas). */
export function pushNodes(count: number): string {
  return Array.from(
    { length: count },
    (_, index) =>
      `[[probe.service.node]]\nid = "h${index + 1}"\nlabel = "Host ${index + 1}"\nmode = "push"\n`,
  ).join('');
}

/** Vigil nodes usually hold a handful of replicas; 5 per node keeps the shape realistic. */
export const REPLICAS_PER_NODE = 5;

/** `nodes` poll nodes `p0`, `p1`, … of `replicasPerNode` HTTP replicas each, replica N at `url(N)`. */
export function pollNodes(nodes: number, replicasPerNode: number, url: (replica: number) => string): string {
  return Array.from({ length: nodes }, (_, node) => {
    const replicas = Array.from({ length: replicasPerNode }, (_, index) =>
      JSON.stringify(url(node * replicasPerNode + index)),
    );
    return `[[probe.service.node]]\nid = "p${node}"\nlabel = "Pool ${node}"\nmode = "poll"\nreplicas = [${replicas.join(', ')}]\n`;
  }).join('');
}

/**
 * One service holding `nodes`, through the real loader (TOML, schema, cross-key checks), as
 * `vigil --config` would read it. The process environment is not consulted.
 */
export function loadBenchConfig(nodes: string, metrics = ''): LoadedConfig {
  return parseConfigText(benchConfigText(nodes, metrics), 'bench.cfg', { env: {} });
}

/** The text `loadBenchConfig` reads: the tests' base tables, `[metrics]` keys, then one service holding `nodes`. */
export function benchConfigText(nodes: string, metrics = ''): string {
  return `${BASE_CONFIG}${metrics}\n[probe]\n[[probe.service]]\nid = "${SERVICE_ID}"\nlabel = "Web"\n${nodes}`;
}
