import type { Health } from '../model/health.js';
import type { Clock } from '../time/clock.js';

/** What a poll replica URL points at (spec §4.1), before any node-level options. */
export type ReplicaAddress =
  | { kind: 'icmp'; host: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'ssh'; host: string; port: number }
  | { kind: 'tls'; host: string; port: number }
  | { kind: 'http'; url: string }
  | MysqlTarget
  | MqttTarget
  | GrpcTarget
  | DnsTarget
  | RedisTarget
  | PostgresTarget;

/** mysql://USER[:PASSWORD]@HOST:PORT[/DATABASE]: log in, then `SELECT 1`. */
export interface MysqlTarget {
  kind: 'mysql';
  host: string;
  port: number;
  user: string;
  password?: string;
  database?: string;
}

/** mqtt://[USER[:PASSWORD]@]HOST:PORT: CONNECT, then the broker's CONNACK must accept it. */
export interface MqttTarget {
  kind: 'mqtt';
  host: string;
  port: number;
  username?: string;
  password?: string;
}

/** grpc://HOST:PORT[/SERVICE]: grpc.health.v1.Health/Check; an empty service asks about the whole server. */
export interface GrpcTarget {
  kind: 'grpc';
  host: string;
  port: number;
  service: string;
}

/** The record types a dns:// replica may ask for. */
export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SRV', 'TXT'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/** dns://RESOLVER:PORT/NAME?type=…&expect=…: one query to one resolver. */
export interface DnsTarget {
  kind: 'dns';
  /** The resolver, an IP address or a host name resolved first. */
  host: string;
  port: number;
  name: string;
  recordType: DnsRecordType;
  /** Answers that must all be among the records (one line per record, as the docs write them); empty: any answer. */
  expect: string[];
}

/** redis://[[USER]:PASSWORD@]HOST:PORT: PING answered with PONG, after AUTH when a password is given. */
export interface RedisTarget {
  kind: 'redis';
  host: string;
  port: number;
  /** rediss://: TLS first, the certificate verified for `host`. */
  tls: boolean;
  username?: string;
  password?: string;
}

/** libpq's `sslmode` values the postgres:// probe honours, as libpq reads them. */
export const POSTGRES_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type PostgresSslMode = (typeof POSTGRES_SSL_MODES)[number];

/** postgres://USER[:PASSWORD]@HOST:PORT/DATABASE: a session that answers `select 1`. */
export interface PostgresTarget {
  kind: 'postgres';
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** `disable` (the default) starts in plain text; the others require TLS and verify as libpq does. */
  sslMode: PostgresSslMode;
}

export type HttpMethod = 'HEAD' | 'GET' | 'POST' | 'PUT' | 'PATCH';

/** `http_json_path` (extension): the field must exist in a JSON body, and equal or match when set. */
export interface JsonAssertion {
  /** Dot-separated keys, array indexes as numbers: `status`, `checks.0.state`. */
  path: string;
  /** Compared with the field as text: a string as is, anything else as compact JSON. */
  equals?: string;
  matches?: RegExp;
}

/** `http_header_present` (extension): the response must have this header, matching when set. */
export interface HeaderAssertion {
  name: string;
  matches?: RegExp;
}

/** Everything one HTTP check needs: the URL plus the node's HTTP options and the global status range. */
export interface HttpTarget {
  kind: 'http';
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  bodyMatch?: RegExp;
  jsonAssertion?: JsonAssertion;
  headerAssertion?: HeaderAssertion;
  /** https:// only: sick when the certificate expires in fewer whole days; 0 or absent never. */
  tlsExpirySickDays?: number;
  /** Inclusive lower bound of a healthy status code. */
  statusHealthyAbove: number;
  /** Exclusive upper bound of a healthy status code. */
  statusHealthyBelow: number;
  /** Appends the Unix time in seconds as a query string, as Vigil does, to defeat caches. */
  cacheBuster: boolean;
}

export interface ScriptTarget {
  kind: 'script';
  source: string;
  /** Kills the script's whole process group after this long; absent means no limit, as in Vigil. */
  timeoutMs?: number;
}

/** tls://host:port (extension): a TCP connection plus a verified TLS handshake. */
export interface TlsTarget {
  kind: 'tls';
  host: string;
  port: number;
  /** Sick when the certificate expires in fewer whole days; 0 or absent never. */
  tlsExpirySickDays?: number;
}

export type ProbeTarget =
  | Exclude<ReplicaAddress, { kind: 'http' | 'tls' }>
  | HttpTarget
  | TlsTarget
  | ScriptTarget;

/** The target type of one kind: `TargetOf<'tcp'>` is `{ kind: 'tcp'; host; port }`. */
export type TargetOf<K extends ProbeTarget['kind']> = Extract<ProbeTarget, { kind: K }>;

export interface ProbeContext {
  /** Deadline of one poll attempt (Vigil's `poll_delay_dead`); script probes use their own `timeoutMs`. */
  timeoutMs: number;
  /** Aborted when the process shuts down; a probe must give up promptly. */
  signal: AbortSignal;
  /** What "now" is for certificate expiry; the system clock when absent. */
  clock?: Clock;
}

/**
 * Outcome of one attempt. Poll probes answer healthy or dead (the latency-to-sick rule is applied
 * by the caller), except HTTPS and TLS, sick when a certificate expires soon; script probes may answer
 * sick themselves.
 */
export interface ProbeResult {
  health: Health;
  /** Whole milliseconds, kept on failures too (Vigil stores the latency of dead attempts). */
  latencyMs: number;
  /** A short human reason when not healthy: "connection refused", "status 503", "exit 3"… */
  reason?: string;
}

/** One kind of check. `check` never throws: every failure is a dead (or sick) result with a reason. */
export interface Probe<T extends ProbeTarget = ProbeTarget> {
  readonly kind: T['kind'];
  check(target: T, context: ProbeContext): Promise<ProbeResult>;
}
