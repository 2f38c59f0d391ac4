import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { loadConfigFile } from '../../src/config/load.js';
import { type RunningVigil, startVigil } from '../../src/main.js';
import { apiClient } from '../helpers/api-contract.js';
import { type CaptureServer, startCaptureServer } from '../helpers/capture-server.js';
import { BASE_CONFIG } from '../helpers/config.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { waitFor } from '../helpers/vigil.js';

/**
 * A reload of a cluster member that leads: the new channels take over alerting under the same
 * leadership (the same fencing token), with no second startup alert, and the old ones hear nothing.
 * Its Prometheus gauges say it leads, under which token.
 */

let postgres: TestPostgres;
let capture: CaptureServer;
let target: Server;
let folder: string;
let vigil: RunningVigil | undefined;
let targetUp = true;

before(async () => {
  postgres = await startTestPostgres();
  capture = await startCaptureServer();
  folder = mkdtempSync(join(tmpdir(), 'vigil-cluster-reload-'));
  target = createServer((_request, response) => response.writeHead(targetUp ? 200 : 503).end());
  target.listen(0, '127.0.0.1');
  await once(target, 'listening');
});
after(async () => {
  await vigil?.stop();
  await capture?.close();
  await new Promise((resolve) => target?.close(resolve));
  await postgres?.stop();
  rmSync(folder, { recursive: true, force: true });
});

interface Cluster {
  leader: { instance_id: string; token: number } | null;
}

test('a reload keeps the leadership and hands alerting to the new channels', async () => {
  const address = target.address();
  assert.ok(address && typeof address === 'object');
  const databaseUrl = await postgres.createDatabase();
  const file = join(folder, 'vigil.cfg');
  const write = (hook: string) =>
    writeFileSync(
      file,
      `${BASE_CONFIG}poll_interval = 1\npoll_retry = 0\npoll_delay_dead = 1\npoll_delay_sick = 1\n` +
        `[prometheus]\nenabled = true\n` +
        `[notify]\n[notify.webhook]\nhook_url = "${capture.url}/${hook}"\n` +
        `[storage]\nengine = "postgres"\nurl = "${databaseUrl}"\n` +
        `[cluster]\ninstance_id = "solo"\nlease = 10\n` +
        `[probe]\n[[probe.service]]\nid = "web"\nlabel = "Web"\n[[probe.service.node]]\nid = "api"\n` +
        `label = "API"\nmode = "poll"\nreplicas = ["http://127.0.0.1:${address.port}/health"]\n`,
    );
  write('before');
  const running = await startVigil({
    loaded: loadConfigFile(file, { env: {} }),
    logger: pino({ level: 'silent' }),
    listen: { host: '127.0.0.1', port: 0 },
    env: {},
  });
  vigil = running;
  const leader = async () => (await apiClient(running.url).request('/api/v1/cluster')).json<Cluster>().leader;
  await waitFor('the startup alert', () => capture.requests.length === 1, 20_000);
  const token = (await leader())?.token;
  assert.equal((await leader())?.instance_id, 'solo');
  const metrics = await (await fetch(`${running.url}/metrics`)).text();
  assert.match(metrics, /^vigil_cluster_leader\{instance="solo"\} 1$/m);
  assert.match(metrics, new RegExp(`^vigil_cluster_leader_token\\{instance="solo"\\} ${token}$`, 'm'));

  write('after');
  assert.equal(await running.reload(), 'applied');
  targetUp = false;
  await waitFor('the dead alert', () => capture.requests.length === 2, 20_000);
  await sleep(1000);

  assert.deepEqual(
    capture.requests.map((request) => [request.path, (JSON.parse(request.body) as { type: string }).type]),
    [
      ['/before', 'startup'],
      ['/after', 'changed'],
    ],
  );
  assert.equal((await leader())?.token, token);
});
