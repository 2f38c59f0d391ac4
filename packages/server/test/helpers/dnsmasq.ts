import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './cli.js';
import { requireBinary, startDaemon } from './daemon.js';

const SERVER = '/usr/sbin/dnsmasq';

/** A throwaway dnsmasq on a free loopback port (UDP and TCP). */
export interface TestDnsmasq {
  port: number;
  stop(): Promise<void>;
}

/**
 * Answers from `records` (its options: `--host-record=…`, `--txt-record=…`) and nothing else: no
 * upstream, no /etc/hosts, no config file, no pid file, in the foreground (`-k`), on 127.0.0.1
 * alone, logging to stderr. Never the system service.
 */
export async function startTestDnsmasq(records: string[]): Promise<TestDnsmasq> {
  requireBinary(SERVER, 'dnsmasq-base');
  const root = mkdtempSync(join(tmpdir(), 'vigil-dnsmasq-'));
  const port = await freePort();
  const args = [
    '-k',
    '--conf-file=/dev/null',
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    '--no-resolv',
    '--no-hosts',
    '--pid-file=',
    '--log-facility=-',
    ...records,
  ];
  // dnsmasq binds its sockets before it logs that it started.
  const server = await startDaemon(SERVER, args, { ready: /started, version/, workDir: root });
  return { port, stop: server.stop };
}
