import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { CHANNEL_DEFINITIONS, type ChannelName } from '../notify/registry.js';
import { type ChannelTargetsSchema, channelTargetsSchema } from '../notify/targets.js';

/**
 * The whole Vigil configuration as one schema: types, defaults and per-key validation in one place.
 * Cross-key rules (duplicate ids, replicas on the wrong mode, URL grammar, regexes) live in validate.ts.
 * Keys marked "extension" are Vigil TS additions that Vigil ignores, so one file can serve both.
 */

const seconds = (min: number) => z.number().int().min(min).max(31_536_000);
const absoluteUrl = z.string().refine((value) => URL.canParse(value), {
  message: 'must be an absolute URL, such as https://example.com/',
});

/** A logo or icon the page can show: an http(s) URL or a `data:image/…` URL. */
const imageUrl = absoluteUrl.refine(
  (value) => !URL.canParse(value) || /^(https?:|data:image\/)/i.test(new URL(value).href),
  { message: 'must be an http:// or https:// URL, or a data:image/… URL, for the page to show it' },
);

/** Rust's `SocketAddr` syntax: an IP literal (IPv6 in brackets) and a port, no host names. */
function isSocketAddress(value: string): boolean {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  if (!match) return false;
  const [, ipv6, ipv4, port] = match;
  const ipIsValid = ipv6 !== undefined ? isIPv6(ipv6) : isIPv4(ipv4 ?? '');
  return ipIsValid && Number(port) <= 65_535;
}

export const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** `[server] log_level`, any case, as Vigil and Vigil Local read it. */
export const logLevelSchema = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(z.enum(LOG_LEVELS))
  .default('error');

/** A web origin as browsers send it: scheme, host and optional port, no path, no trailing slash. */
const CORS_ORIGIN = /^(\*|https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9-]+(\.[a-z0-9-]+)*)(:\d{1,5})?)$/i;
const CORS_ORIGIN_RULE =
  'must be "*" or an origin such as https://status.example.com (scheme, host, optional port; no path)';

const serverSchema = z.object({
  log_level: logLevelSchema,
  inet: z
    .string()
    .refine(isSocketAddress, {
      message: 'must be IP:PORT, such as 0.0.0.0:8080 or [::1]:8080 (no host names)',
    })
    .default('[::1]:8080'),
  workers: z.number().int().min(1).max(1024).default(4),
  mcp_server: z.boolean().default(false),
  manager_token: z.string(),
  reporter_token: z.string(),
  /** Extension: seconds a client has to send a whole request (headers and body); slower ones are cut. */
  request_timeout: seconds(1).default(30),
  /** Extension: seconds an idle kept-alive connection stays open; 5 is actix-web's default, as in Vigil. */
  keep_alive_timeout: seconds(1).default(5),
  /** Extension: open connections at most; new ones past it are closed at once. */
  max_connections: z.number().int().min(1).max(1_000_000).default(4096),
  /** Extension: wrong tokens an address may send per `auth_failure_window` before 429s; 0 turns it off. */
  auth_failure_limit: z.number().int().min(0).max(1_000_000).default(20),
  /** Extension: seconds over which `auth_failure_limit` counts, and the longest an address waits. */
  auth_failure_window: seconds(1).default(60),
  /** Extension: origins whose pages may read `GET /api/v1` (CORS); `["*"]` any, `[]` none. */
  api_cors_origins: z
    .array(z.string().regex(CORS_ORIGIN, { message: CORS_ORIGIN_RULE }))
    .refine((origins) => !origins.includes('*') || origins.length === 1, {
      message: '"*" stands alone: it already allows every origin',
    })
    .default(['*']),
});

const assetsSchema = z.object({
  path: z.string().default('./res/assets/'),
});

/** A CSP `frame-ancestors` source: a keyword, a scheme, or a host with optional scheme, port and path. */
const FRAME_ANCESTOR =
  /^('self'|'none'|\*|[a-z][a-z0-9+.-]*:|([a-z][a-z0-9+.-]*:\/\/)?(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:(\d{1,5}|\*))?(\/[^\s;,']*)?)$/i;

/** The languages the page's texts exist in (web/page/texts.ts). */
export const PAGE_LANGUAGES = ['en', 'fr'] as const;

const brandingSchema = z.object({
  page_title: z.string().default('Status Page'),
  page_url: absoluteUrl,
  company_name: z.string(),
  icon_color: z.string(),
  icon_url: imageUrl,
  logo_color: z.string(),
  logo_url: imageUrl,
  website_url: absoluteUrl,
  support_url: absoluteUrl,
  custom_html: z.string().optional(),
  /** Extension: who may frame the page (CSP `frame-ancestors`); any site when absent, as in Vigil. */
  frame_ancestors: z
    .array(
      z.string().regex(FRAME_ANCESTOR, {
        message:
          "must be 'self', 'none', *, a scheme such as https:, or a host such as https://help.example.com or *.example.com",
      }),
    )
    .min(1)
    .refine((sources) => !sources.includes("'none'") || sources.length === 1, {
      message: "'none' cannot be combined with other sources",
    })
    .optional(),
  /** Extension: the language of the page's texts. */
  language: z.enum(PAGE_LANGUAGES).default('en'),
});

const metricsSchema = z.object({
  poll_interval: seconds(1).default(120),
  poll_retry: z.number().int().min(0).max(255).default(2),
  poll_retry_wait: z.number().int().min(0).max(3_600_000).default(500),
  poll_http_status_healthy_above: z.number().int().min(100).max(999).default(200),
  poll_http_status_healthy_below: z.number().int().min(100).max(1000).default(400),
  poll_delay_dead: seconds(1).default(10),
  poll_delay_sick: seconds(0).default(5),
  poll_parallelism: z.number().int().min(1).max(10_000).default(4),
  /**
   * Extension: poll rounds run in a worker thread, so a busy main thread cannot make targets look
   * slow. Unset: from `POLL_REPLICAS_FOR_THREAD` poll replicas on (scheduler/probers.ts).
   */
  poll_in_worker: z.boolean().optional(),
  push_delay_dead: seconds(0).default(20),
  /** 0.90 as Vigil documents it (its code says 0.99, spec §14): users read the docs. */
  push_system_cpu_sick_above: z.number().min(0).default(0.9),
  push_system_ram_sick_above: z.number().min(0).default(0.9),
  script_interval: seconds(1).default(300),
  script_parallelism: z.number().int().min(1).max(1024).default(2),
  /** Extension: a script running longer is killed with its process group and reported dead. */
  script_timeout: seconds(1).default(60),
  local_delay_dead: seconds(0).default(40),
  /** Extension: seconds after which a push replica dead by silence is forgotten; never by default. */
  push_forget_after: seconds(1).optional(),
  /** Extension: the same for local replicas. */
  local_forget_after: seconds(1).optional(),
  /** Extension: push or local replicas one node may have; a report that would add one more is refused. */
  reported_replicas_max: z.number().int().min(1).max(1_000_000).default(1000),
  /** Extension: an https:// replica whose certificate expires in fewer days is sick; 0 never. */
  poll_tls_expiry_sick_days: z.number().int().min(0).max(3650).default(0),
  /**
   * Extension, with [cluster]: each poll replica is probed from this many members (vantages), and
   * is dead or sick only when that many agree. 1 (Vigil's behaviour): one prober decides.
   */
  poll_quorum: z.number().int().min(1).max(100).default(1),
});

const rabbitmqSchema = z.object({
  api_url: absoluteUrl,
  auth_username: z.string(),
  auth_password: z.string(),
  virtualhost: z.string(),
  queue_ready_healthy_below: z.number().int().min(0),
  queue_nack_healthy_below: z.number().int().min(0),
  queue_ready_dead_above: z.number().int().min(0),
  queue_nack_dead_above: z.number().int().min(0),
  queue_loaded_retry_delay: z.number().int().min(0).optional(),
});

const pluginsSchema = z.object({
  rabbitmq: rabbitmqSchema.optional(),
});

/** Extension: Prometheus `GET /metrics` (upstream #8), off unless enabled. */
const prometheusSchema = z.object({
  enabled: z.boolean().default(false),
  /** When set, scrapers must send it as the HTTP Basic password (any user name), like reporters. */
  token: z.string().min(1).optional(),
});

/**
 * Each `[notify.<channel>]` table, or each entry of a `[[notify.<channel>]]` array (extension), is
 * validated by the channel's own schema, which lives beside it.
 */
const channelTables = Object.fromEntries(
  CHANNEL_DEFINITIONS.map((definition) => [
    definition.name,
    channelTargetsSchema(definition.schema).optional(),
  ]),
) as { [Name in ChannelName]: z.ZodOptional<ChannelTargetsSchema> };

const notifySchema = z.object({
  startup_notification: z.boolean().default(true),
  reminder_interval: seconds(1).optional(),
  reminder_backoff_function: z.enum(['none', 'linear', 'square', 'cubic']).default('none'),
  /** 0 is accepted like in Vigil, where it behaves as 1 (the counter starts at 1). */
  reminder_backoff_limit: z.number().int().min(0).max(65_535).default(3),
  reminder_escalate: z.boolean().default(false),
  /** Extension: seconds between further attempts after Vigil's 3 (2 s apart); then the alert is given up. */
  retry_tail: z.array(seconds(1)).max(20).default([30, 120, 600, 1800]),
  /** Extension: at start, alerts wait for the first probe rounds, but no longer than this (seconds). */
  settle_timeout: seconds(0).default(120),
  ...channelTables,
});

export const STORAGE_ENGINES = ['sqlite', 'postgres'] as const;

/** Extension: where Vigil TS keeps what must survive a restart, and its history (docs/storage.md). */
const storageSchema = z
  .object({
    engine: z.enum(STORAGE_ENGINES).default('sqlite'),
    /** SQLite file, relative to the working directory; its folder is created at start. */
    path: z.string().min(1).default('./data/vigil.db'),
    /** PostgreSQL connection URL, e.g. `${VIGIL_DATABASE_URL}`. */
    url: z.string().optional(),
    pool_size: z.number().int().min(1).max(100).default(10),
    /** Seconds between batched writes of history and replica reports: at most this much is lost on a crash. */
    flush_interval: seconds(1).max(600).default(10),
    minute_retention_hours: z.number().int().min(1).max(8_760).default(48),
    hour_retention_days: z.number().int().min(1).max(3_650).default(90),
    day_retention_days: z.number().int().min(1).max(36_500).default(730),
    incident_retention_days: z.number().int().min(1).max(36_500).default(730),
    outbox_retention_days: z.number().int().min(1).max(3_650).default(30),
  })
  .superRefine((storage, context) => {
    if (storage.engine === 'postgres' && !storage.url) {
      context.addIssue({ code: 'custom', path: ['url'], message: 'is required when engine = "postgres"' });
    }
  });

/**
 * Extension: several instances on one PostgreSQL database (docs/cluster.md). The table's presence
 * turns it on; `enabled = false` keeps it written but off.
 */
const clusterSchema = z.object({
  enabled: z.boolean().default(true),
  /** This member's name in the cluster; the host name and `server.inet` port when absent. */
  instance_id: z.string().min(1).max(200).optional(),
  /** Where this member looks from, e.g. a region: shown with it and named in its alerts. */
  vantage: z.string().min(1).max(100).default('default'),
  /** Seconds a member's heartbeat (and the alert leader's lease) lasts without renewal. */
  lease: seconds(1).max(3600).default(10),
  /** An outside dead man's switch the alert leader calls (GET) every `heartbeat_interval` seconds. */
  heartbeat_url: absoluteUrl
    .refine((value) => !URL.canParse(value) || /^https?:$/.test(new URL(value).protocol), {
      message: 'must be an http:// or https:// URL',
    })
    .optional(),
  heartbeat_interval: seconds(1).max(86_400).default(60),
  /** The local address this member's HTTP and TCP-based probes connect from (a vantage on a multi-homed host). */
  source_address: z.union([z.ipv4(), z.ipv6()]).optional(),
});

/**
 * Extension: who is told of new feed entries (docs/subscriptions.md). Email sign-up from the
 * public is off unless enabled, and needs `[notify.email]`, whose SMTP server sends the mails.
 */
const subscriptionsSchema = z.object({
  email: z.boolean().default(false),
  /** Seconds a sign-up waits for its confirmation before it is forgotten. */
  confirm_within: seconds(60)
    .max(7 * 86_400)
    .default(86_400),
  /** Sign-up requests one client address (IPv4, or IPv6 /64) may make per hour. */
  client_requests_per_hour: z.number().int().min(1).max(1000).default(5),
  /** Confirmation mails one address may receive per day, whoever asks. */
  address_mails_per_day: z.number().int().min(1).max(100).default(3),
  /** Email subscriptions kept at most, pending and confirmed together. */
  email_max: z.number().int().min(1).max(1_000_000).default(10_000),
  /** Webhook subscriptions the manager API accepts at most. */
  webhooks_max: z.number().int().min(1).max(1000).default(100),
});

export const NODE_MODES = ['poll', 'push', 'script', 'local'] as const;
export const HTTP_METHODS = ['HEAD', 'GET', 'POST', 'PUT', 'PATCH'] as const;

const nodeSchema = z.object({
  id: z.string().min(1),
  label: z.string(),
  mode: z.enum(NODE_MODES),
  replicas: z.array(z.string()).optional(),
  scripts: z.array(z.string()).optional(),
  http_headers: z.record(z.string(), z.string()).default({}),
  http_method: z.enum(HTTP_METHODS).optional(),
  http_body: z.string().optional(),
  http_body_healthy_match: z.string().optional(),
  /** Extension: a field of a JSON body that must exist (dot path), optionally equal or match. */
  http_json_path: z.string().min(1).optional(),
  http_json_equals: z.string().optional(),
  http_json_matches: z.string().optional(),
  /** Extension: a response header that must be present, optionally matching. */
  http_header_present: z.string().min(1).optional(),
  http_header_matches: z.string().optional(),
  reveal_replica_name: z.boolean().default(false),
  link_url: absoluteUrl.optional(),
  link_label: z.string().optional(),
  rabbitmq_queue: z.string().optional(),
  rabbitmq_queue_nack_healthy_below: z.number().int().min(0).optional(),
  rabbitmq_queue_nack_dead_above: z.number().int().min(0).optional(),
});

const serviceSchema = z.object({
  id: z.string().min(1),
  label: z.string(),
  node: z.array(nodeSchema),
});

const probeSchema = z.object({
  service: z.array(serviceSchema),
});

export const configSchema = z.object({
  server: serverSchema,
  /** Accepted for compatibility; Vigil TS ships its own assets (see docs/compatibility.md). */
  assets: assetsSchema.optional(),
  branding: brandingSchema,
  metrics: metricsSchema,
  plugins: pluginsSchema.optional(),
  /** Extension: absent means no `/metrics`. */
  prometheus: prometheusSchema.default(() => prometheusSchema.parse({})),
  notify: notifySchema.optional(),
  /** Extension: absent means SQLite at ./data/vigil.db with the default retention. */
  storage: storageSchema.default(() => storageSchema.parse({})),
  /** Extension: absent means a single instance. */
  cluster: clusterSchema.optional(),
  /** Extension: absent means the feed and webhooks only, no public email sign-up. */
  subscriptions: subscriptionsSchema.default(() => subscriptionsSchema.parse({})),
  probe: probeSchema,
});

export type RawConfig = z.output<typeof configSchema>;
export type ServerConfig = RawConfig['server'];
export type BrandingConfig = RawConfig['branding'];
export type MetricsConfig = RawConfig['metrics'];
export type PrometheusConfig = RawConfig['prometheus'];
export type NotifyConfig = NonNullable<RawConfig['notify']>;
export type StorageConfig = RawConfig['storage'];
export type ClusterConfig = NonNullable<RawConfig['cluster']>;
export type SubscriptionsConfig = RawConfig['subscriptions'];
export type RabbitmqConfig = NonNullable<NonNullable<RawConfig['plugins']>['rabbitmq']>;
export type NodeConfig = z.output<typeof nodeSchema>;
export type ServiceConfig = z.output<typeof serviceSchema>;
export type NodeMode = (typeof NODE_MODES)[number];
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];
