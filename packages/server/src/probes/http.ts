import { type ClientRequestArgs, request as httpRequest, type IncomingMessage } from 'node:http';
import { createConnection, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { builtinOnUse } from '../process/builtin-on-use.js';
import { Deadline } from './deadline.js';
import { describeError, ProbeFailure } from './errors.js';
import { assertHeader, assertJson, type ReadBody, searchMatches } from './http-assertions.js';
import { peerCertificateExpiryMs, resultAfterExpiry } from './tls-expiry.js';
import type { ProbeKind } from './types.js';

/** Loaded by the first https:// check: an http-only fleet never loads `https` (nor `tls`). */
const https = builtinOnUse<typeof import('node:https')>('node:https');

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

/** What an http:// or https:// URL gives; the topology completes it with the node's HTTP options. */
export type HttpAddress = Pick<HttpTarget, 'kind' | 'url'>;

/** Only these methods carry `http_body` (spec §4.3). */
const BODY_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH']);
/** A health page larger than this is matched on its first MiB only (JSON over it is not parsed). */
const BODY_READ_LIMIT = 1024 * 1024;

/**
 * Vigil's cache-buster: `?<unix seconds>`, or `&<unix seconds>` when the URL already has a `?`.
 * The fragment is dropped first; it is never sent, and a `?` inside it must not count.
 */
export function withCacheBuster(url: string, nowMs: number): string {
  const [withoutFragment = url] = url.split('#', 1);
  const separator = withoutFragment.includes('?') ? '&' : '?';
  return `${withoutFragment}${separator}${Math.floor(nowMs / 1000)}`;
}

/** The TCP connection of one http:// request, to the host and port the request resolved, from its local address. */
function openConnection(options: ClientRequestArgs): Socket {
  return createConnection({
    host: options.host ?? undefined,
    port: Number(options.port),
    localAddress: options.localAddress,
  });
}

/** Sends the request on a fresh connection and resolves with the response head. */
function send(target: HttpTarget, deadline: Deadline, localAddress?: string): Promise<IncomingMessage> {
  const url = new URL(target.cacheBuster ? withCacheBuster(target.url, Date.now()) : target.url);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    // A new connection per check, never kept alive, so latency includes DNS, connect and TLS as in
    // Vigil. Over http:// the socket is opened directly (no agent: `agent: false` makes an agent
    // per request, with its queues and listeners, only to hand over one socket); https:// goes
    // through a throwaway agent, which sets up TLS (server name, verification) as Node does.
    const options = { method: target.method, headers: target.headers, localAddress };
    const outgoing = secure
      ? https().request(url, { ...options, agent: false })
      : httpRequest(url, { ...options, createConnection: openConnection });
    outgoing.on('response', resolve);
    outgoing.on('error', reject);
    // The deadline ends the request, and with it the response being read (a callback rather than
    // a signal: no abort signal to make and listen to per check).
    deadline.onAbort(() => outgoing.destroy(deadline.reason));
    if (BODY_METHODS.has(target.method)) outgoing.end(target.body ?? '');
    else outgoing.end();
  });
}

async function readBody(response: IncomingMessage): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > BODY_READ_LIMIT) break;
  }
  const text = Buffer.concat(chunks).subarray(0, BODY_READ_LIMIT).toString('utf8');
  return { text, complete: size <= BODY_READ_LIMIT };
}

/** Throws a ProbeFailure unless the status is healthy and the header assertion, if any, holds. */
function judgeHead(response: IncomingMessage, target: HttpTarget): void {
  const status = response.statusCode ?? 0;
  if (status < target.statusHealthyAbove || status >= target.statusHealthyBelow) {
    throw new ProbeFailure(`status ${status}`);
  }
  if (target.headerAssertion) assertHeader(response.headers, target.headerAssertion);
}

/** Whether the body is read at all: only a match or a JSON field to check needs it. */
const readsBody = (target: HttpTarget) =>
  target.bodyMatch !== undefined || target.jsonAssertion !== undefined;

/** Throws a ProbeFailure unless the body matches and the JSON assertion holds. */
function judgeBody(body: ReadBody, target: HttpTarget): void {
  if (target.bodyMatch && !searchMatches(body.text, target.bodyMatch)) {
    throw new ProbeFailure(`body does not match ${target.bodyMatch}`);
  }
  if (target.jsonAssertion) assertJson(body, target.jsonAssertion);
}

/** The certificate's end of validity, read while the fresh connection is still attached. */
function certificateExpiryMs(response: IncomingMessage): number | undefined {
  const socket = response.socket as Socket | TLSSocket;
  // TLS sockets say so with `encrypted`: no `instanceof TLSSocket`, which would need `tls` loaded.
  return 'encrypted' in socket ? peerCertificateExpiryMs(socket) : undefined;
}

/**
 * http:// and https:// replicas: one request, redirects not followed, healthy when the status is in
 * range and, if configured, the body contains a match and the JSON field and header assertions
 * hold. Over https://, a certificate near its expiry makes the replica sick. The timeout covers DNS,
 * connect, TLS, the response head and the body.
 */
export const httpProbe: ProbeKind<HttpTarget, HttpAddress> = {
  kind: 'http',
  url: {
    schemes: ['http', 'https'],
    grammar: 'an http:// or https:// URL',
    parse(url, { shown }) {
      if (!url.hostname) return { ok: false, error: `"${shown}" has no host` };
      return { ok: true, address: { kind: 'http', url: url.href } };
    },
  },
  async check(target, context) {
    const deadline = new Deadline(context.timeoutMs, context.signal);
    let response: IncomingMessage | undefined;
    try {
      response = await send(target, deadline, context.localAddress);
      const expiryMs = certificateExpiryMs(response);
      judgeHead(response, target);
      // A failing status is dead before the body is looked at; most checks never read it.
      if (readsBody(target)) judgeBody(await readBody(response), target);
      return resultAfterExpiry(deadline, expiryMs, context.clock, target.tlsExpirySickDays);
    } catch (error) {
      return deadline.dead(describeError(error));
    } finally {
      // Without a body to match, the body is never read: the connection is simply dropped. The
      // socket itself: destroying an unread response instead also waits for the socket's close
      // and makes a premature-close error (with its stack) to throw away, at every check.
      (response?.socket ?? response)?.destroy();
      deadline.dispose();
    }
  },
};
