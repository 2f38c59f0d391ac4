import { compileBodyMatch } from '../config/regex.js';
import type { MetricsConfig, NodeConfig, NodeMode, RawConfig } from '../config/schema.js';
import type { HeaderAssertion, HttpTarget, JsonAssertion } from '../probes/http.js';
import { redactUrl } from '../probes/redact.js';
import { parseReplicaUrl } from '../probes/replica-url.js';
import type { ProbeTarget, ReplicaAddress } from '../probes/types.js';

/**
 * A configured (poll or script) replica: its id as Vigil names it (with any secret in its URL
 * masked: only `target` carries them), and what to check.
 */
export interface ReplicaSpec {
  readonly id: string;
  readonly target: ProbeTarget;
}

export interface NodeSpec {
  readonly serviceId: string;
  readonly id: string;
  readonly label: string;
  readonly mode: NodeMode;
  readonly revealReplicaName: boolean;
  readonly linkUrl?: string;
  readonly linkLabel?: string;
  readonly rabbitmqQueue?: string;
  readonly rabbitmqNackHealthyBelow?: number;
  readonly rabbitmqNackDeadAbove?: number;
  /** Poll and script replicas, fixed by the config; push and local nodes start empty. */
  readonly replicas: readonly ReplicaSpec[];
}

export interface ServiceSpec {
  readonly id: string;
  readonly label: string;
  readonly nodes: readonly NodeSpec[];
}

export interface Topology {
  readonly services: readonly ServiceSpec[];
}

/** How Vigil's HTTP client names itself: `vigil (+https://status.example.com/)`. */
export function vigilUserAgent(pageUrl: string): string {
  return `vigil (+${new URL(pageUrl).href})`;
}

/** Turns a validated config into the services → nodes → replicas tree the model and prober share. */
export function buildTopology(config: Pick<RawConfig, 'probe' | 'branding' | 'metrics'>): Topology {
  const userAgent = vigilUserAgent(config.branding.page_url);
  const sharedOptions = new Map<string, NodeHttp>();
  return {
    services: config.probe.service.map((service) => ({
      id: service.id,
      label: service.label,
      nodes: service.node.map((node) => ({
        serviceId: service.id,
        id: node.id,
        label: node.label,
        mode: node.mode,
        revealReplicaName: node.reveal_replica_name,
        linkUrl: node.link_url,
        linkLabel: node.link_label,
        rabbitmqQueue: node.rabbitmq_queue,
        rabbitmqNackHealthyBelow: node.rabbitmq_queue_nack_healthy_below,
        rabbitmqNackDeadAbove: node.rabbitmq_queue_nack_dead_above,
        replicas: replicaSpecs(node, config.metrics, userAgent, sharedOptions),
      })),
    })),
  };
}

function replicaSpecs(
  node: NodeConfig,
  metrics: MetricsConfig,
  userAgent: string,
  sharedOptions: Map<string, NodeHttp>,
): ReplicaSpec[] {
  if (node.mode === 'script') {
    return (node.scripts ?? []).map((source, index) => ({
      id: String(index),
      target: { kind: 'script', source, timeoutMs: metrics.script_timeout * 1000 },
    }));
  }
  if (node.mode !== 'poll') return [];
  // Vigil collapses duplicate replica URLs within a node into one replica.
  const ids = new Set<string>();
  const http = nodeHttpOf(node, metrics, userAgent, sharedOptions);
  return [...new Set(node.replicas ?? [])].map((url): ReplicaSpec => {
    const parsed = parseReplicaUrl(url);
    if (!parsed.ok) throw new Error(`invalid replica URL reached the topology: ${parsed.error}`);
    const id = uniqueId(redactUrl(url), ids);
    ids.add(id);
    const { address } = parsed;
    if (address.kind === 'http') {
      // The parsed URL is a copy of the configured one, equal unless it was normalised: the id (the
      // configured URL without secrets) and the URL are then one string, not two per replica.
      return new HttpReplicaSpec(id, address.url === id ? id : address.url, http);
    }
    return { id, target: pollTarget(address, metrics) };
  });
}

/** The id as is, or with ` [2]`, ` [3]`… when URLs differing only in their secrets redact alike. */
function uniqueId(id: string, taken: ReadonlySet<string>): string {
  let candidate = id;
  for (let copy = 2; taken.has(candidate); copy += 1) candidate = `${id} [${copy}]`;
  return candidate;
}

/** A node's HTTP options, shared by its replicas' targets (the topology is read-only). */
type HttpOptions = Omit<HttpTarget, 'kind' | 'url' | 'tlsExpirySickDays'>;

/** What a node's HTTP replicas share: its options, and the certificate rule of its https:// ones. */
interface NodeHttp {
  readonly options: HttpOptions;
  readonly tlsExpirySickDays: number;
}

/**
 * An HTTP replica: its id, its URL and its node's shared options, the full target made when asked
 * (a round's check, the prober thread's start). At 100,000 replicas a target object per replica
 * with every option in it was ~110 B each on the main heap.
 */
class HttpReplicaSpec implements ReplicaSpec {
  constructor(
    readonly id: string,
    private readonly url: string,
    private readonly http: NodeHttp,
  ) {}

  get target(): HttpTarget {
    const { options } = this.http;
    // Every field written out, in one order: one hidden class for every target.
    return {
      kind: 'http',
      url: this.url,
      method: options.method,
      headers: options.headers,
      body: options.body,
      bodyMatch: options.bodyMatch,
      jsonAssertion: options.jsonAssertion,
      headerAssertion: options.headerAssertion,
      tlsExpirySickDays: this.url.startsWith('https:') ? this.http.tlsExpirySickDays : undefined,
      statusHealthyAbove: options.statusHealthyAbove,
      statusHealthyBelow: options.statusHealthyBelow,
      cacheBuster: options.cacheBuster,
    };
  }
}

/**
 * What a node's HTTP replicas share, made once for every node configured alike (most are): a copy
 * of the headers and of the compiled regexes per replica, or even per node, was megabytes at
 * 100,000 replicas.
 */
function nodeHttpOf(
  node: NodeConfig,
  metrics: MetricsConfig,
  userAgent: string,
  shared: Map<string, NodeHttp>,
): NodeHttp {
  // The node's `http_*` keys, the only ones `httpOptions` reads (the rest it reads is the fleet's).
  const key = JSON.stringify(
    Object.entries(node)
      .filter(([name]) => name.startsWith('http_'))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  let http = shared.get(key);
  if (!http) {
    http = {
      options: httpOptions(node, metrics, userAgent),
      tlsExpirySickDays: metrics.poll_tls_expiry_sick_days,
    };
    shared.set(key, http);
  }
  return http;
}

function httpOptions(node: NodeConfig, metrics: MetricsConfig, userAgent: string): HttpOptions {
  const bodyMatch = compileOptional(node.http_body_healthy_match);
  const jsonAssertion = jsonAssertionOf(node);
  const headerAssertion = headerAssertionOf(node);
  const options: HttpOptions = {
    // Only a body to check needs GET; Vigil's HEAD stays the default otherwise.
    method: node.http_method ?? (bodyMatch || jsonAssertion ? 'GET' : 'HEAD'),
    headers: mergeHeaders({ 'User-Agent': userAgent, Accept: '*/*' }, node.http_headers),
    statusHealthyAbove: metrics.poll_http_status_healthy_above,
    statusHealthyBelow: metrics.poll_http_status_healthy_below,
    cacheBuster: true,
  };
  if (bodyMatch) options.bodyMatch = bodyMatch;
  if (jsonAssertion) options.jsonAssertion = jsonAssertion;
  if (headerAssertion) options.headerAssertion = headerAssertion;
  if (node.http_body !== undefined) options.body = node.http_body;
  return options;
}

function pollTarget(address: Exclude<ReplicaAddress, { kind: 'http' }>, metrics: MetricsConfig): ProbeTarget {
  if (address.kind === 'tls') return { ...address, tlsExpirySickDays: metrics.poll_tls_expiry_sick_days };
  return address;
}

/** Node regex keys share Vigil's body-match syntax (Rust regex, converted). */
function compileOptional(source: string | undefined): RegExp | undefined {
  return source === undefined ? undefined : compileBodyMatch(source);
}

function jsonAssertionOf(node: NodeConfig): JsonAssertion | undefined {
  if (node.http_json_path === undefined) return undefined;
  const assertion: JsonAssertion = { path: node.http_json_path };
  if (node.http_json_equals !== undefined) assertion.equals = node.http_json_equals;
  const matches = compileOptional(node.http_json_matches);
  if (matches) assertion.matches = matches;
  return assertion;
}

function headerAssertionOf(node: NodeConfig): HeaderAssertion | undefined {
  if (node.http_header_present === undefined) return undefined;
  const assertion: HeaderAssertion = { name: node.http_header_present };
  const matches = compileOptional(node.http_header_matches);
  if (matches) assertion.matches = matches;
  return assertion;
}

/** Node headers replace defaults of the same name, whatever their letter case. */
function mergeHeaders(
  defaults: Record<string, string>,
  overrides: Record<string, string>,
): Record<string, string> {
  const overridden = new Set(Object.keys(overrides).map((name) => name.toLowerCase()));
  const merged = Object.fromEntries(
    Object.entries(defaults).filter(([name]) => !overridden.has(name.toLowerCase())),
  );
  return { ...merged, ...overrides };
}
