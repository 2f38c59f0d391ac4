import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';

export interface Served {
  port: number;
  /** Stops listening and destroys open connections (hanging test servers keep theirs open). */
  close(): Promise<void>;
}

/** Starts `server` on a free loopback port (port 0). */
export async function serve(server: Server, host = '127.0.0.1'): Promise<Served> {
  const sockets = new Set<Socket>();
  // TLS servers report the raw TCP socket on 'connection' too.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not a TCP server');
  return {
    port: address.port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on: bound, then released. */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const served = await serve(createServer(), host);
  await served.close();
  return served.port;
}

/** A signal that never aborts, for checks that run to completion. */
export const running: AbortSignal = new AbortController().signal;
