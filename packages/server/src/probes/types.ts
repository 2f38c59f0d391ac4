import type { Health } from '../model/health.js';
import type { Clock } from '../time/clock.js';
import type { PROBE_KINDS } from './registry.js';

/**
 * What the probes share. Each kind's own file holds its target type, its check and, for the kinds a
 * poll replica names by URL, its URL form; registry.ts lists the kinds, and the unions below are
 * read from that list, so nothing here names a kind.
 */

/** Anything a probe checks: every target says which kind it is. */
export interface KindedTarget {
  kind: string;
}

export interface ProbeContext {
  /** Deadline of one poll attempt (Vigil's `poll_delay_dead`); script probes use their own `timeoutMs`. */
  timeoutMs: number;
  /** Aborted when the process shuts down; a probe must give up promptly. */
  signal: AbortSignal;
  /** What "now" is for certificate expiry; the system clock when absent. */
  clock?: Clock;
  /**
   * The local address to connect from (HTTP, and the kinds that open their own TCP connection: tcp,
   * tls, ssh, redis, mqtt); the system's choice when absent.
   */
  localAddress?: string;
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
export interface Probe<T extends KindedTarget = ProbeTarget> {
  readonly kind: T['kind'];
  check(target: T, context: ProbeContext): Promise<ProbeResult>;
}

/** A URL read into what it points at, or why it cannot be. */
export type UrlParse<Address> = { ok: true; address: Address } | { ok: false; error: string };

export interface UrlParseContext {
  /** The URL as errors may quote it: as written, less its secrets (redact.ts). */
  shown: string;
  /** Every accepted form, for errors that list them (the server's, or vigil-local's). */
  grammar: string;
}

/** How poll replicas of one kind are written (spec §4.1, and the forms Vigil TS adds). */
export interface ReplicaUrlForm<Address> {
  /** The URL schemes of the kind, without `:` (`redis`, `rediss`). */
  readonly schemes: readonly string[];
  /** The form as error messages and docs write it: `tcp://HOST:PORT`. */
  readonly grammar: string;
  /** Reads a URL with one of `schemes` into the kind's address. */
  parse(url: URL, context: UrlParseContext): UrlParse<Address>;
}

/**
 * One probe kind, self-described: its check and, unless its replicas are configured otherwise
 * (scripts), how a replica URL names it. `Address` is what the URL gives, when the node's options
 * complete it into the target later (http, tls); otherwise the URL gives the target itself.
 */
export interface ProbeKind<Target extends KindedTarget, Address extends KindedTarget = Target>
  extends Probe<Target> {
  readonly url?: ReplicaUrlForm<Address>;
}

type KindDefinition = (typeof PROBE_KINDS)[number];

/** What one probe checks, whatever its kind: one member per kind of the registry. */
export type ProbeTarget = KindDefinition extends infer Definition
  ? Definition extends ProbeKind<infer Target, KindedTarget>
    ? Target
    : never
  : never;

/** What a poll replica URL points at, before any node-level options: one member per kind with a URL. */
export type ReplicaAddress = KindDefinition extends infer Definition
  ? Definition extends { readonly url?: ReplicaUrlForm<infer Address> }
    ? Address
    : never
  : never;

export type ProbeKindName = ProbeTarget['kind'];

/** The target type of one kind: `TargetOf<'tcp'>` is `{ kind: 'tcp'; host; port }`. */
export type TargetOf<K extends ProbeKindName> = Extract<ProbeTarget, { kind: K }>;

export type ReplicaUrlParse = UrlParse<ReplicaAddress>;
