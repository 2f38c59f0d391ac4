import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { checkWithRetries } from '../../src/probes/attempt.js';
import { parseReplicaUrl } from '../../src/probes/replica-url.js';
import type { Probe, ProbeResult, ProbeTarget, ReplicaAddress } from '../../src/probes/types.js';
import { FakeClock } from '../helpers/fake-clock.js';

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

/**
 * One poll through Vigil's attempt rule with `poll_delay_sick` at 0, so an attempt that would be
 * healthy is sick however fast loopback is: how the tests show a kind obeys the latency rule.
 */
export function pollWithSickAtZero<T extends ProbeTarget>(probe: Probe<T>, target: T): Promise<ProbeResult> {
  const policy = { retries: 0, retryWaitMs: 0, timeoutMs: 5000, sickLatencyMs: 0 };
  return checkWithRetries(probe, target, policy, { clock: new FakeClock(), signal: running });
}

/** The target a replica URL of the given kind parses to; fails the test when it does not. */
export function parsedTarget<K extends ReplicaAddress['kind']>(
  url: string,
  kind: K,
): Extract<ReplicaAddress, { kind: K }> {
  const parsed = parseReplicaUrl(url);
  if (!parsed.ok) throw new Error(parsed.error);
  const { address } = parsed;
  if (!isKind(address, kind)) throw new Error(`${url} is a ${address.kind} replica, not ${kind}`);
  return address;
}

function isKind<K extends ReplicaAddress['kind']>(
  address: ReplicaAddress,
  kind: K,
): address is Extract<ReplicaAddress, { kind: K }> {
  return address.kind === kind;
}
