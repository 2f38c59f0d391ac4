import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The reporter baseline: what any Node server must do for a push report and no more — read the body,
 * JSON.parse it, answer 200 with an empty body. No routing, auth, validation or model.
 */
export const bareReporterHandler: RequestListener = (request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'Content-Length': '0' }).end();
    } catch {
      response.writeHead(400, { 'Content-Length': '0' }).end();
    }
  });
};

/** The poll target: 200 with an empty body to anything, e.g. `HEAD /r/42?1700000000`. */
export const okHandler: RequestListener = (_request, response) => {
  response.writeHead(200, { 'Content-Length': '0' }).end();
};

/** Listens on a free loopback port; benchmark traffic never leaves 127.0.0.1. */
export async function listenLoopback(handler: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  // 256 probes connect at once; the default backlog (511) already covers that, this just says so.
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 1024 }, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
