import { type RunningVigil, startVigil } from '@vigil-ts/server';
import { parseConfigText } from '@vigil-ts/server/config';
import { createLogger } from '@vigil-ts/server/log';
import { BASE_CONFIG } from '../../../server/test/helpers/config.js';

/**
 * The whole Vigil TS server as `vigil` runs it, in process on loopback. It takes a port, so a test
 * can stop it and start another one on the same address, as a restart would.
 */
export async function startTestVigil(
  probes: string,
  options: { metrics?: string; port?: number } = {},
): Promise<RunningVigil & { port: number }> {
  // An in-memory store: a restarted server starts empty, like a first start.
  const storage = '\n[storage]\npath = ":memory:"\n';
  const loaded = parseConfigText(
    `${BASE_CONFIG}${options.metrics ?? ''}${storage}\n[probe]\n${probes}`,
    'test.cfg',
    {
      env: {},
    },
  );
  const running = await startVigil({
    loaded,
    logger: createLogger({ level: 'off', pretty: false }),
    listen: { host: '127.0.0.1', port: options.port ?? 0 },
  });
  return { ...running, port: Number(new URL(running.url).port) };
}
