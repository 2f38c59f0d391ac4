import { connect, createServer } from 'node:net';
import { type Served, serve } from './loopback.js';

/**
 * A loopback TCP relay to `port` that holds every chunk the server sends for `delayMs`, so a real
 * server answers slowly: each answer arrives at least `delayMs` after it was sent.
 */
export function slowRelay(port: number, delayMs: number): Promise<Served> {
  return serve(
    createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port });
      client.pipe(upstream);
      // Equal delays keep the chunks in order.
      upstream.on('data', (chunk: Buffer) => setTimeout(() => client.write(chunk), delayMs));
      upstream.on('close', () => setTimeout(() => client.destroy(), delayMs));
      client.on('close', () => upstream.destroy());
      client.on('error', () => undefined);
      upstream.on('error', () => undefined);
    }),
  );
}
