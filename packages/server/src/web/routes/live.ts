import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { PageCache } from '../page/cache.js';

export interface LiveOptions {
  page: PageCache;
  /** Hijacked responses skip the onSend hook, so the security headers come in here. */
  headers: () => Record<string, string>;
  /** Past this, new clients get 503 and the page script falls back to polling. */
  maxClients?: number;
  /** A comment this often keeps proxies from closing an idle stream (many cut at 60 s). */
  keepAliveMs?: number;
}

const LIVE_MAX_CLIENTS = 1000;
const KEEP_ALIVE_MS = 25_000;
/** A client this far behind is stalled; dropping it bounds the memory it holds. */
const MAX_BUFFERED_BYTES = 64 * 1024;
/** How long the browser waits before reconnecting after a drop. */
const RETRY_MS = 2000;

/**
 * `/status/live`: a server-sent event stream telling pages the version of the latest render, on
 * connect and at each change, so they fetch the page again only when it changed.
 */
export function liveRoutes(app: FastifyInstance, options: LiveOptions) {
  const { page, headers, maxClients = LIVE_MAX_CLIENTS, keepAliveMs = KEEP_ALIVE_MS } = options;
  const clients = new Set<ServerResponse>();

  const send = (client: ServerResponse, message: string) => {
    if (client.writableLength > MAX_BUFFERED_BYTES) client.destroy();
    else client.write(message);
  };
  const broadcast = (message: string) => {
    for (const client of clients) send(client, message);
  };
  const versionMessage = (version: string) => `event: version\ndata: ${version}\n\n`;

  const unsubscribe = page.onChange((rendered) => broadcast(versionMessage(rendered.version)));
  const keepAlive = setInterval(() => broadcast(': keep-alive\n\n'), keepAliveMs);
  keepAlive.unref();

  // Open streams would hold app.close() forever: end them first.
  app.addHook('preClose', async () => {
    clearInterval(keepAlive);
    unsubscribe();
    for (const client of clients) client.end();
    clients.clear();
  });

  app.get('/status/live', { exposeHeadRoute: false }, async (_request, reply) => {
    if (clients.size >= maxClients) {
      return reply.code(503).header('Retry-After', '60').send({ error: 'too many live clients' });
    }
    reply.hijack();
    const client = reply.raw;
    client.writeHead(200, {
      ...headers(),
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform: a compressing proxy would buffer the stream.
      'Cache-Control': 'no-cache, no-transform',
      // nginx buffers proxied responses unless told otherwise.
      'X-Accel-Buffering': 'no',
    });
    clients.add(client);
    client.on('close', () => clients.delete(client));
    send(client, `retry: ${RETRY_MS}\n${versionMessage(page.latest().version)}`);
  });
}
