import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_FPING_PATH } from '../../src/probes/fping.js';
import { exited, freePort, spawnCli } from '../helpers/cli.js';
import { BASE_CONFIG } from '../helpers/config.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-icmp-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Polls `condition` every 100 ms for at most `timeoutMs` (a bound on a wait, not a speed test). */
async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

test('the vigil binary logs that ICMP goes through fping, and its first round runs fping', async () => {
  // The real fping behind a wrapper that logs each run's arguments.
  const fping = join(dir, 'fping');
  const calls = join(dir, 'fping.calls');
  writeFileSync(fping, `#!/bin/sh\necho "$@" >> ${calls}\nexec ${DEFAULT_FPING_PATH} "$@"\n`);
  chmodSync(fping, 0o755);
  const port = await freePort();
  const config = join(dir, 'icmp.cfg');
  writeFileSync(
    config,
    `${BASE_CONFIG.replace('127.0.0.1:0', `127.0.0.1:${port}`).replace('log_level = "off"', 'log_level = "info"')}
[storage]
path = "${join(dir, 'vigil.db')}"
[probe]
[[probe.service]]
id = "net"
label = "Network"
[[probe.service.node]]
id = "gw"
label = "Gateway"
mode = "poll"
replicas = ["icmp://127.0.0.3", "icmp://127.0.0.4"]
`,
  );
  const child = spawnCli(['-c', config], { env: { VIGIL_FPING_PATH: fping } });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  try {
    const runs = () => (existsSync(calls) ? readFileSync(calls, 'utf8') : '');
    const pinged = () => /127\.0\.0\.3/.test(runs()) && /127\.0\.0\.4/.test(runs());
    assert.ok(await waitUntil(pinged), `no fping run for the replicas; vigil said:\n${output}`);
    // The first round spreads its starts over a second, so the two may or may not share a run.
    assert.match(runs(), /^-c 1 -i 0 -t 1000 (127\.0\.0\.[34] ?)+$/m);
    assert.ok(
      output.includes(`ICMP checks are batched through ${fping}`),
      `no start-up line about ICMP; vigil said:\n${output}`,
    );
  } finally {
    child.kill('SIGTERM');
    await exited(child);
  }
});
