import { type Agent, request } from 'node:http';

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ExchangeOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Another loopback address to send from, e.g. 127.0.0.2, to look like a second client. */
  localAddress?: string;
  agent?: Agent;
}

/** One request over node:http on loopback, read to the end. */
export function exchange(port: number, path: string, options: ExchangeOptions = {}): Promise<Exchange> {
  const { method = 'GET', headers = {}, body, localAddress, agent } = options;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, method, path, headers, localAddress, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
