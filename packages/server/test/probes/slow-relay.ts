import { connect, createServer } from 'node:net';
import { checkWithRetries } from '../../src/probes/attempt.js';
import type { Probe, ProbeResult, ProbeTarget } from '../../src/probes/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { running, type Served, serve } from './loopback.js';

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

export interface SlowCheck {
  /** How long each chunk from the server is held. */
  delayMs: number;
  /** Vigil's `poll_delay_sick`. */
  sickLatencyMs: number;
  /** Vigil's `poll_delay_dead`. */
  timeoutMs: number;
}

/**
 * One poll under Vigil's rules (no retries) of the server on `serverPort`, reached through a slow
 * relay: `targetAt` makes the target for the relay's port.
 */
export async function checkThroughSlowRelay<T extends ProbeTarget>(
  probe: Probe<T>,
  targetAt: (port: number) => T,
  serverPort: number,
  { delayMs, sickLatencyMs, timeoutMs }: SlowCheck,
): Promise<ProbeResult> {
  const relay = await slowRelay(serverPort, delayMs);
  try {
    const policy = { retries: 0, retryWaitMs: 0, timeoutMs, sickLatencyMs };
    return await checkWithRetries(probe, targetAt(relay.port), policy, {
      clock: new FakeClock(),
      signal: running,
    });
  } finally {
    await relay.close();
  }
}
