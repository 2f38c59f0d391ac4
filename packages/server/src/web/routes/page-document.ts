import type { FastifyReply, FastifyRequest } from 'fastify';
import { compressed, PAGE_BROTLI_QUALITY, prepareIdentity, sendRepresentation } from '../representation.js';

/**
 * The path from a document under the status page back to its folder, for a route `segments` path
 * segments deep: reached with or without its trailing slash, the document finds the status page.
 */
export function documentRoot(request: FastifyRequest, segments: number): string {
  const depth = request.url.split('?')[0]?.endsWith('/') ? segments : segments - 1;
  return '../'.repeat(depth);
}

/** Sends an HTML document rendered for this request, compressed off the event loop, revalidated each time. */
export async function sendPageDocument(request: FastifyRequest, reply: FastifyReply, body: string) {
  const plain = prepareIdentity(body, { contentType: 'text/html; charset=utf-8' });
  return sendRepresentation(request, reply, await compressed(plain, PAGE_BROTLI_QUALITY), 'no-cache');
}
