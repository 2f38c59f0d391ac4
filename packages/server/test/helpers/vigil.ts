import { pino } from 'pino';
import { parseConfigText } from '../../src/config/load.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { BASE_CONFIG } from './config.js';
import { basicAuth } from './server.js';

/**
 * The whole server as `vigil` runs it (main.ts wiring), on a free loopback port. `tables` follows
 * BASE_CONFIG's `[metrics]` header: extra metrics keys first, then any other tables and the probes;
 * `serverKeys` go into its `[server]` table.
 */
export function startFullVigil(tables: string, serverKeys = ''): Promise<RunningVigil> {
  const base = BASE_CONFIG.replace('[server]\n', `[server]\n${serverKeys}\n`);
  // Each server gets its own in-memory store unless the test chooses one: no state leaks between tests.
  const storage = tables.includes('[storage]') ? '' : '\n[storage]\npath = ":memory:"\n';
  const loaded = parseConfigText(`${base}${tables}${storage}`, 'test.cfg', { env: {} });
  return startVigil({ loaded, logger: pino({ level: 'silent' }), listen: { host: '127.0.0.1', port: 0 } });
}

/** A reporter API request with the right token; resolves with the status code. */
export async function postReport(vigil: RunningVigil, path: string, body: unknown): Promise<number> {
  const response = await fetch(`${vigil.url}/reporter/${path}/`, {
    method: 'POST',
    headers: { Authorization: basicAuth('reporter-secret'), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.body?.cancel();
  return response.status;
}

/** A push load report as node-vigil-reporter sends it. */
export function pushReport(
  vigil: RunningVigil,
  path: string,
  replica: string,
  load = { cpu: 0.1, ram: 0.1 },
) {
  return postReport(vigil, path, { replica, interval: 30, load });
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
