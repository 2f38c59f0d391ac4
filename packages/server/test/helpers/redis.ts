import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './cli.js';
import { requireBinary, startDaemon } from './daemon.js';

const SERVER = '/usr/bin/redis-server';
const TLS_FIXTURES = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));

/** A throwaway redis-server on a free loopback port. */
export interface TestRedis {
  port: number;
  stop(): Promise<void>;
}

/**
 * Nothing saved to disk; `password` sets `requirepass`; `tls` serves TLS only, with the test
 * certificate (localhost, 127.0.0.1; signed by the test CA the runner trusts).
 */
export async function startTestRedis(options: { password?: string; tls?: boolean } = {}): Promise<TestRedis> {
  requireBinary(SERVER, 'redis-server');
  const root = mkdtempSync(join(tmpdir(), 'vigil-redis-'));
  chmodSync(root, 0o755);
  const port = await freePort();
  const listen = options.tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const tlsFiles = options.tls
    ? [
        '--tls-cert-file',
        join(TLS_FIXTURES, 'server.pem'),
        '--tls-key-file',
        join(TLS_FIXTURES, 'server.key'),
      ]
    : [];
  const auth = options.password === undefined ? [] : ['--requirepass', options.password];
  const args = [
    ...listen,
    ...tlsFiles,
    '--bind',
    '127.0.0.1',
    '--dir',
    root,
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  const server = await startDaemon(SERVER, [...args, ...auth], {
    ready: /Ready to accept connections/,
    workDir: root,
  });
  return { port, stop: server.stop };
}
