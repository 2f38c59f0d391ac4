import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Deadline, formatSeconds } from './deadline.js';
import { describeError, ProbeFailure } from './errors.js';
import type { ProbeKind, UrlParse, UrlParseContext } from './types.js';
import { decodeComponent, hostOf, portOf, requiringHost } from './url-parts.js';

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

const DNS_PORT = 53;
const QUERY_KEYS = ['type', 'expect'];

function isRecordType(text: string): text is DnsRecordType {
  return (DNS_RECORD_TYPES as readonly string[]).includes(text);
}

/** dns://RESOLVER[:PORT]/NAME[?type=TYPE&expect=ANSWER…]; the type defaults to A. */
function parseDnsUrl(url: URL, { shown }: UrlParseContext): UrlParse<DnsTarget> {
  const fail = (why: string): UrlParse<DnsTarget> => ({ ok: false, error: `"${shown}" ${why}` });
  const port = portOf(url, DNS_PORT);
  if (port === undefined) return fail('needs a port from 1 to 65535 (53 when left out)');
  if (url.username || url.password || url.hash) return fail('must not have credentials or a fragment');
  const name = decodeComponent(url.pathname.slice(1));
  if (!name || name.includes('/'))
    return fail('needs one name to query as its path, as in dns://RESOLVER/NAME');
  const unknown = [...url.searchParams.keys()].find((key) => !QUERY_KEYS.includes(key));
  if (unknown !== undefined) return fail(`has unknown query key "${unknown}"; allowed: type, expect`);
  const types = url.searchParams.getAll('type');
  if (types.length > 1) return fail('has more than one type');
  const recordType = (types[0] ?? 'A').toUpperCase();
  if (!isRecordType(recordType)) {
    return fail(`has unsupported type "${types[0]}"; allowed: ${DNS_RECORD_TYPES.join(', ')}`);
  }
  const expect = url.searchParams.getAll('expect');
  const family = recordType === 'A' ? 4 : recordType === 'AAAA' ? 6 : undefined;
  const notAddress = family === undefined ? undefined : expect.find((answer) => isIP(answer) !== family);
  if (notAddress !== undefined) return fail(`expects "${notAddress}", which is not an IPv${family} address`);
  return { ok: true, address: { kind: 'dns', host: hostOf(url), port, name, recordType, expect } };
}

/** The records of one query, each as one line of text: `10 mail.example.com` for MX, TXT chunks joined. */
async function query(resolver: Resolver, name: string, type: DnsRecordType): Promise<string[]> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'CNAME':
      return resolver.resolveCname(name);
    case 'NS':
      return resolver.resolveNs(name);
    case 'PTR':
      return resolver.resolvePtr(name);
    case 'MX':
      return (await resolver.resolveMx(name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'SRV':
      return (await resolver.resolveSrv(name)).map(
        (srv) => `${srv.priority} ${srv.weight} ${srv.port} ${srv.name}`,
      );
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  }
}

/** Names and addresses compare without letter case or a final dot; TXT texts as they are. */
function comparable(answer: string, type: DnsRecordType): string {
  if (type === 'TXT') return answer;
  return answer.toLowerCase().replace(/\.$/, '');
}

/** c-ares codes as short reasons; the rest go through describeError. */
function describeDnsError(error: unknown, target: DnsTarget, timeoutMs: number): string {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  switch (code) {
    case 'ENOTFOUND':
      return `${target.name}: no such name (NXDOMAIN)`;
    case 'ENODATA':
      return `${target.name}: no ${target.recordType} record`;
    case 'EREFUSED':
      return 'query refused (REFUSED)';
    case 'ESERVFAIL':
      return 'server failure (SERVFAIL)';
    case 'ETIMEOUT':
      return `timed out after ${formatSeconds(timeoutMs)}`;
    default:
      return describeError(error);
  }
}

/** A host name for the resolver is looked up with the system's resolver first. */
async function resolverAddress(host: string, deadline: Deadline): Promise<string> {
  if (isIP(host)) return host;
  return (await deadline.race(lookup(host))).address;
}

/**
 * dns://: one query for the name and type to the given resolver (no fallback to other servers,
 * one try); healthy when it answers with at least one record and, with `expect`, with each
 * expected answer among them.
 */
export const dnsProbe: ProbeKind<DnsTarget> = {
  kind: 'dns',
  url: {
    schemes: ['dns'],
    grammar: 'dns://RESOLVER[:PORT]/NAME[?type=TYPE&expect=ANSWER]',
    parse: requiringHost(parseDnsUrl),
  },
  async check(target, context) {
    const deadline = new Deadline(context.timeoutMs, context.signal);
    // c-ares takes whole milliseconds; the deadline, not this, ends the attempt.
    const resolver = new Resolver({ timeout: Math.ceil(context.timeoutMs), tries: 1 });
    const stopWatching = deadline.onAbort(() => resolver.cancel());
    try {
      const address = await resolverAddress(target.host, deadline);
      resolver.setServers([
        isIP(address) === 6 ? `[${address}]:${target.port}` : `${address}:${target.port}`,
      ]);
      const answers = await query(resolver, target.name, target.recordType);
      const got = new Set(answers.map((answer) => comparable(answer, target.recordType)));
      const missing = target.expect.filter((answer) => !got.has(comparable(answer, target.recordType)));
      if (missing.length > 0) {
        throw new ProbeFailure(`expected ${missing.join(', ')}, got ${answers.join(', ')}`);
      }
      return deadline.healthy();
    } catch (error) {
      return deadline.dead(describeDnsError(error, target, context.timeoutMs));
    } finally {
      stopWatching();
      deadline.dispose();
    }
  },
};
