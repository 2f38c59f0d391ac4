import { validateHeaderName, validateHeaderValue } from 'node:http';
import { parseReplicaUrl, REPLICA_URL_GRAMMAR } from '../probes/replica-url.js';
import type { ConfigProblem, KeyPath } from './problems.js';
import { formatKeyPath } from './problems.js';
import { compileBodyMatch } from './regex.js';
import type { MetricsConfig, NodeConfig, RawConfig, ServerConfig, ServiceConfig } from './schema.js';

export interface ValidationResult {
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}

/** Where Vigil's own packages put their assets; other paths suggest customised templates. */
const VIGIL_ASSET_PATHS = new Set([
  './res/assets',
  'res/assets',
  '/etc/vigil/assets',
  '/usr/src/vigil/res/assets',
]);

/**
 * Rules that span several keys, run on a config that already matches the schema: the checks Vigil
 * makes at startup (spec §3.1) plus warnings for settings that cannot do what they seem to.
 */
export function validateConfig(config: RawConfig): ValidationResult {
  const result: ValidationResult = { errors: [], warnings: [] };
  const error: Report = (path, message) => {
    result.errors.push({ path, message });
  };
  const warn: Report = (path, message) => {
    result.warnings.push({ path, message });
  };

  checkTokens(config.server, error);
  if (config.subscriptions.email && config.notify?.email === undefined) {
    error(
      ['subscriptions', 'email'],
      'needs [notify.email]: its SMTP server sends the confirmation and notice mails',
    );
  }
  checkMetrics(config.metrics, error, warn);
  checkCluster(config, error);
  if (config.metrics.poll_quorum > 1 && (config.cluster === undefined || !config.cluster.enabled)) {
    warn(
      ['metrics', 'poll_quorum'],
      `${config.metrics.poll_quorum} has no effect without [cluster]: a single instance probes from one vantage`,
    );
  }
  const assetsPath = config.assets?.path;
  if (assetsPath !== undefined && !VIGIL_ASSET_PATHS.has(assetsPath.replace(/\/+$/, ''))) {
    warn(
      ['assets', 'path'],
      `${JSON.stringify(assetsPath)} is accepted and ignored: Vigil TS serves its own built-in page and ` +
        'assets, so templates there are not used; customise the page with branding.custom_html',
    );
  }
  const services = config.probe.service;
  for (const [index, firstIndex] of findDuplicates(services, (service) => service.id)) {
    const id = JSON.stringify(services[index]?.id);
    error(
      ['probe', 'service', index, 'id'],
      `duplicate service id ${id}, already used by probe.service[${firstIndex}]`,
    );
  }
  const hasRabbitmq = config.plugins?.rabbitmq !== undefined;
  for (const [index, service] of services.entries()) {
    checkService(service, ['probe', 'service', index], hasRabbitmq, error, warn);
  }
  return result;
}

type Report = (path: KeyPath, message: string) => void;

const INVALID_HEADER_NAME = "invalid HTTP header name: use only letters, digits and !#$%&'*+-.^_`|~";

/** Vigil accepts empty and equal tokens; both silently open the API to the wrong clients, so they stop the start. */
function checkTokens(server: ServerConfig, error: Report): void {
  const blank = (token: string) => token.trim() === '';
  for (const key of ['manager_token', 'reporter_token'] as const) {
    if (blank(server[key])) {
      error(
        ['server', key],
        'must not be empty: an empty token would let any client in (an Authorization header without a ' +
          'colon carries an empty password); set a long random string',
      );
    }
  }
  if (!blank(server.reporter_token) && server.reporter_token === server.manager_token) {
    error(
      ['server', 'reporter_token'],
      'must differ from server.manager_token: every reporter would hold the manager password',
    );
  }
}

/** Members share their leases, alert leadership and outbox through one database, which SQLite cannot be. */
function checkCluster(config: RawConfig, error: Report): void {
  if (config.cluster?.enabled !== true || config.storage.engine === 'postgres') return;
  error(
    ['storage', 'engine'],
    `is "${config.storage.engine}", and [cluster] needs "postgres": the members share their leases, the alert ` +
      'leader and the outbox through one PostgreSQL database (a SQLite file serves one instance); set ' +
      'storage.engine = "postgres" and storage.url, or remove [cluster] (or set cluster.enabled = false)',
  );
}

function checkMetrics(metrics: MetricsConfig, error: Report, warn: Report): void {
  const { poll_http_status_healthy_above: above, poll_http_status_healthy_below: below } = metrics;
  if (above >= below) {
    error(
      ['metrics', 'poll_http_status_healthy_above'],
      `must be lower than poll_http_status_healthy_below (${below}), got ${above}: no status code could be ` +
        'healthy (above is inclusive, below exclusive)',
    );
  }
  if (metrics.poll_delay_sick >= metrics.poll_delay_dead) {
    warn(
      ['metrics', 'poll_delay_sick'],
      `${metrics.poll_delay_sick} s is not below poll_delay_dead (${metrics.poll_delay_dead} s): a slow ` +
        'replica times out as dead before it can show as sick',
    );
  }
}

function checkService(
  service: ServiceConfig,
  at: KeyPath,
  hasRabbitmq: boolean,
  error: Report,
  warn: Report,
): void {
  for (const [index, firstIndex] of findDuplicates(service.node, (node) => node.id)) {
    const id = JSON.stringify(service.node[index]?.id);
    const first = formatKeyPath([...at, 'node', firstIndex]);
    error([...at, 'node', index, 'id'], `duplicate node id ${id} in this service, already used by ${first}`);
  }
  for (const [index, node] of service.node.entries()) {
    checkNode(node, [...at, 'node', index], error, warn);
    checkRabbitmqQueue(node, [...at, 'node', index], hasRabbitmq, warn);
  }
}

/** The queue check runs only on push reports and only with [plugins.rabbitmq] (spec §4.7). */
function checkRabbitmqQueue(node: NodeConfig, at: KeyPath, hasRabbitmq: boolean, warn: Report): void {
  if (node.rabbitmq_queue === undefined) return;
  if (node.mode !== 'push') {
    warn([...at, 'rabbitmq_queue'], `is only checked on push nodes, and this node's mode is "${node.mode}"`);
  } else if (!hasRabbitmq) {
    warn([...at, 'rabbitmq_queue'], 'is never checked: there is no [plugins.rabbitmq] table');
  }
}

function checkNode(node: NodeConfig, at: KeyPath, error: Report, warn: Report): void {
  if (node.replicas !== undefined && node.mode !== 'poll') {
    error(
      [...at, 'replicas'],
      `only poll nodes can have replicas, and this node's mode is "${node.mode}"; remove the key ` +
        '(Vigil refuses it too, even as an empty list)',
    );
  }
  if (node.scripts !== undefined && node.mode !== 'script') {
    error(
      [...at, 'scripts'],
      `only script nodes can have scripts, and this node's mode is "${node.mode}"; remove the key`,
    );
  }
  if (node.mode === 'poll') checkReplicas(node.replicas ?? [], [...at, 'replicas'], error, warn);
  if (node.mode === 'poll' && !node.replicas?.length) {
    warn(at, 'poll node has no replicas: nothing is probed and it always shows healthy');
  }
  if (node.mode === 'script' && !node.scripts?.length) {
    warn(at, 'script node has no scripts: nothing runs and it always shows healthy');
  }
  for (const key of ['http_body_healthy_match', 'http_json_matches', 'http_header_matches'] as const) {
    const source = node[key];
    const problem = source === undefined ? undefined : failureOf(() => compileBodyMatch(source));
    if (problem) error([...at, key], problem);
  }
  checkHttpAssertions(node, at, error);
  for (const [name, value] of Object.entries(node.http_headers)) {
    if (failureOf(() => validateHeaderName(name))) {
      error([...at, 'http_headers', name], INVALID_HEADER_NAME);
    } else if (failureOf(() => validateHeaderValue(name, value))) {
      error(
        [...at, 'http_headers', name],
        'invalid HTTP header value: line breaks, other control characters and characters above U+00FF are not allowed',
      );
    }
  }
}

/** The extension assertion keys need their subject key, and a JSON check needs a body. */
function checkHttpAssertions(node: NodeConfig, at: KeyPath, error: Report): void {
  for (const key of ['http_json_equals', 'http_json_matches'] as const) {
    if (node[key] !== undefined && node.http_json_path === undefined) {
      error([...at, key], 'needs http_json_path, the field it checks (such as "status")');
    }
  }
  if (node.http_json_equals !== undefined && node.http_json_matches !== undefined) {
    error([...at, 'http_json_matches'], 'cannot be combined with http_json_equals; keep one of them');
  }
  if (node.http_json_path !== undefined && node.http_method === 'HEAD') {
    error(
      [...at, 'http_json_path'],
      'needs a response body, and http_method = "HEAD" gets none; use GET (the default with this key)',
    );
  }
  if (node.http_json_path?.split('.').some((key) => key === '')) {
    error(
      [...at, 'http_json_path'],
      'must be keys separated by single dots, such as "checks.database.status"',
    );
  }
  if (node.http_header_matches !== undefined && node.http_header_present === undefined) {
    error([...at, 'http_header_matches'], 'needs http_header_present, the header it checks');
  }
  const header = node.http_header_present;
  if (header !== undefined && failureOf(() => validateHeaderName(header))) {
    error([...at, 'http_header_present'], INVALID_HEADER_NAME);
  }
}

function checkReplicas(replicas: string[], at: KeyPath, error: Report, warn: Report): void {
  const firstIndexOfRepeat = new Map(findDuplicates(replicas, (url) => url));
  for (const [index, url] of replicas.entries()) {
    const firstIndex = firstIndexOfRepeat.get(index);
    if (firstIndex !== undefined) {
      warn([...at, index], `repeats replicas[${firstIndex}]; both count as one replica, as in Vigil`);
      continue;
    }
    const parsed = parseReplicaUrl(url);
    if (!parsed.ok) {
      const grammar = parsed.error.includes(REPLICA_URL_GRAMMAR) ? '' : `; expected ${REPLICA_URL_GRAMMAR}`;
      error([...at, index], `invalid replica URL: ${parsed.error}${grammar}`);
    }
  }
}

/** [index, index of the first entry with the same id] for each entry whose id was seen before. */
function findDuplicates<T>(items: readonly T[], idOf: (item: T) => string): Array<[number, number]> {
  const firstIndexOf = new Map<string, number>();
  return items.flatMap((item, index): Array<[number, number]> => {
    const firstIndex = firstIndexOf.get(idOf(item));
    if (firstIndex !== undefined) return [[index, firstIndex]];
    firstIndexOf.set(idOf(item), index);
    return [];
  });
}

/** The message of what `check` throws, or undefined when it does not throw. */
function failureOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (thrown) {
    return thrown instanceof Error ? thrown.message : String(thrown);
  }
}
