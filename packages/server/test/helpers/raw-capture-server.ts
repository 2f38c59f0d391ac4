import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedRequest {
  method: string;
  url: string;
  /** Header names as sent, with their values, in order. */
  rawHeaders: string[];
  body: Buffer;
  atMs: number;
}

/**
 * A loopback HTTP server that records every request as sent (raw header order, body bytes, arrival
 * time), for the exact-request tests of vigil-local and the reporter library. It answers with the
 * next status from `statuses` (the last one repeats).
 */
export async function startRawCaptureServer(statuses: number[] = [200]) {
  const requests: CapturedRequest[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const { method = '', url = '', rawHeaders } = request;
    requests.push({ method, url, rawHeaders, body: Buffer.concat(chunks), atMs: performance.now() });
    response.statusCode = statuses[Math.min(requests.length, statuses.length) - 1] ?? 200;
    response.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
