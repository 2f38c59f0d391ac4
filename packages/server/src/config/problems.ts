/** Where something is in the config: TOML keys and array indexes from the document root. */
export type KeyPath = readonly PropertyKey[];

/** One error or warning about the config, before it is worded with the file name. */
export interface ConfigProblem {
  path: KeyPath;
  message: string;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** TOML dotted form with array indexes: `probe.service[1].node[0].http_headers."X Bad"`. */
export function formatKeyPath(path: KeyPath): string {
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const key = String(segment);
      const text = BARE_KEY.test(key) ? key : JSON.stringify(key);
      return index === 0 ? text : `.${text}`;
    })
    .join('');
}

/** The value at `path` in the parsed TOML document, or undefined when any step is missing. */
export function valueAt(document: unknown, path: KeyPath): unknown {
  let current = document;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** ` (service "web", node "router")` for a path inside a service or node, so indexes need no counting. */
export function describeOwner(document: unknown, path: KeyPath): string {
  const [probe, service, serviceIndex, node, nodeIndex] = path;
  if (probe !== 'probe' || service !== 'service' || typeof serviceIndex !== 'number') return '';
  const owners: string[] = [];
  const serviceId = valueAt(document, ['probe', 'service', serviceIndex, 'id']);
  if (typeof serviceId === 'string') owners.push(`service ${JSON.stringify(serviceId)}`);
  if (node === 'node' && typeof nodeIndex === 'number') {
    const nodeId = valueAt(document, ['probe', 'service', serviceIndex, 'node', nodeIndex, 'id']);
    if (typeof nodeId === 'string') owners.push(`node ${JSON.stringify(nodeId)}`);
  }
  return owners.length > 0 ? ` (${owners.join(', ')})` : '';
}

/** `config.cfg: probe.service[0].node[1].replicas[2] (service "web", node "router"): <message>` */
export function formatProblem(file: string, document: unknown, problem: ConfigProblem): string {
  const where =
    problem.path.length > 0 ? `${formatKeyPath(problem.path)}${describeOwner(document, problem.path)}: ` : '';
  return `${file}: ${where}${problem.message}`;
}
