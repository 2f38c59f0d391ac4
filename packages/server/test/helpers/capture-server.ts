import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';

/** One request as the server received it. */
export interface CapturedRequest {
  method: string;
  /** Path and query, as sent on the request line. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body bytes decoded as UTF-8, untouched. */
  body: string;
}

/** What to answer: a status (and optional body and headers), or `'hang'` to never answer. */
export type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

export interface CaptureServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  port: number;
  requests: CapturedRequest[];
  /** Sets the answer for the following requests (default 200 with an empty body). */
  reply(reply: Reply | ((request: CapturedRequest) => Reply)): void;
  /** Resolves when `count` requests have arrived in all. */
  waitFor(count: number): Promise<void>;
  /** Stops listening and drops open connections, hanging ones included. */
  close(): Promise<void>;
}

/** A real HTTP server on a free loopback port that records every request and answers as told. */
export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let answer: (request: CapturedRequest) => Reply = () => ({ status: 200 });
  const sockets = new Set<Socket>();

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // the client went away mid-body: nothing to record or answer
    }
    const url = req.url ?? '/';
    const parsed = new URL(url, 'http://capture.invalid');
    const request: CapturedRequest = {
      method: req.method ?? '',
      url,
      path: parsed.pathname,
      query: parsed.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(request);
    for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const reply = answer(request);
    if (reply === 'hang') return;
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body ?? '');
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not a TCP server');

  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    requests,
    reply(reply) {
      answer = typeof reply === 'function' ? reply : () => reply;
    },
    waitFor(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL nothing listens on (a port bound, then released), for "connection refused". */
export async function refusedUrl(): Promise<string> {
  const server = createTcpServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not a TCP server');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${address.port}`;
}
