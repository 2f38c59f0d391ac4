import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A response body prepared once and served from memory: raw, compressed forms and a strong ETag. */
export interface Representation {
  readonly contentType: string;
  readonly etag: string;
  readonly identity: Buffer;
  readonly gzip?: Buffer;
  readonly br?: Buffer;
}

/** Below this size compression saves less than the header costs. */
const COMPRESS_MIN_BYTES = 512;

export interface PrepareOptions {
  contentType: string;
  /** Defaults to a hash of the bytes. */
  etag?: string;
  /** Brotli quality: 11 for files prepared once at start, lower for pages re-rendered at run time. */
  brotliQuality?: number;
}

export function prepare(body: string | Buffer, options: PrepareOptions): Representation {
  const identity = typeof body === 'string' ? Buffer.from(body) : body;
  const etag = options.etag ?? `"${createHash('sha1').update(identity).digest('base64url').slice(0, 16)}"`;
  if (identity.length < COMPRESS_MIN_BYTES) return { contentType: options.contentType, etag, identity };
  return {
    contentType: options.contentType,
    etag,
    identity,
    gzip: gzipSync(identity, { level: 6 }),
    br: brotliCompressSync(identity, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: options.brotliQuality ?? 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
  };
}

/** The codings the client accepts with a non-zero q-value. */
export function acceptedCodings(header: string | undefined): Set<string> {
  const codings = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
    if (name && (q === undefined || Number(q.slice(2)) > 0)) codings.add(name);
  }
  return codings;
}

/** Sends the best representation the client accepts, or 304 when its copy is current. */
export function sendRepresentation(
  request: FastifyRequest,
  reply: FastifyReply,
  representation: Representation,
  cacheControl: string,
): FastifyReply {
  reply.header('ETag', representation.etag).header('Cache-Control', cacheControl);
  if (representation.gzip) reply.header('Vary', 'Accept-Encoding');
  if (matchesEtag(request.headers['if-none-match'], representation.etag)) return reply.code(304).send();
  reply.type(representation.contentType);
  const accepted = acceptedCodings(request.headers['accept-encoding']);
  if (representation.br && accepted.has('br')) {
    return reply.header('Content-Encoding', 'br').send(representation.br);
  }
  if (representation.gzip && accepted.has('gzip')) {
    return reply.header('Content-Encoding', 'gzip').send(representation.gzip);
  }
  return reply.send(representation.identity);
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header === '*' || header.split(',').some((each) => each.trim().replace(/^W\//, '') === etag);
}
