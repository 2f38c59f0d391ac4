import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseLocalConfigText } from '../src/config/load.js';
import { type Relay, startRelay } from '../src/relay.js';
import { VERSION } from '../src/version.js';
import { captureLogger, waitFor } from './helpers/relay.js';
import { startTestVigil } from './helpers/vigil-server.js';

const SERVER_PROBES = `
[[probe.service]]
id = "internal"
label = "Internal"
[[probe.service.node]]
id = "gateway"
label = "Gateway"
mode = "local"
[[probe.service.node]]
id = "jobs"
label = "Jobs"
mode = "local"
[[probe.service.node]]
id = "ordered"
label = "Ordered"
mode = "local"
`;

type Vigil = Awaited<ReturnType<typeof startTestVigil>>;

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Replica id → health, as the server currently shows a node. */
function replicasOf(vigil: Vigil, nodeId: string): Record<string, string> {
  const node = vigil.model.node('internal', nodeId);
  return Object.fromEntries(
    Array.from(node?.replicas.values() ?? [], (replica) => [replica.id, replica.health]),
  );
}

describe('vigil-local against a real Vigil TS server', () => {
  let vigil: Vigil;
  let tcpPort: number;
  let httpPort: number;
  let closedPort: number;
  const headRequests: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }> = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const tcp = createTcpServer((socket) => socket.destroy());
  const http = createHttpServer((request, response) => {
    headRequests.push({ method: request.method, url: request.url, headers: request.headers });
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    // Slow enough that probes run one by one would never overlap.
    setTimeout(() => {
      inFlight--;
      response.end();
    }, 150);
  });
  const relays: Relay[] = [];

  before(async () => {
    vigil = await startTestVigil(SERVER_PROBES, { metrics: 'local_delay_dead = 1' });
    tcpPort = await listen(tcp);
    httpPort = await listen(http);
    const closed = createTcpServer();
    closedPort = await listen(closed);
    closed.close();
  });
  after(async () => {
    await Promise.all(relays.map((relay) => relay.stop()));
    await vigil.stop();
    tcp.close();
    http.close();
  });

  function relayConfig(extraNode = '') {
    const text = `
[server]
[report]
endpoint = "${vigil.url}"
token = "reporter-secret"
[metrics]
interval = 1
poll_retry = 1
poll_delay_dead = 1
[probe]
[[probe.service]]
id = "internal"
[[probe.service.node]]
id = "gateway"
mode = "poll"
replicas = [
  "tcp://127.0.0.1:${tcpPort}",
  "http://127.0.0.1:${httpPort}/a",
  "http://127.0.0.1:${httpPort}/b",
  "tcp://127.0.0.1:${closedPort}",
]
[[probe.service.node]]
id = "jobs"
mode = "script"
scripts = ["exit 0", "exit 1"]
${extraNode}`;
    return parseLocalConfigText(text, 'local.cfg', { env: {} }).config;
  }

  function start(options: { extraNode?: string } = {}) {
    const { logger, lines } = captureLogger();
    const relay = startRelay({
      config: relayConfig(options.extraNode),
      logger,
      startDelayMs: 0,
      reportRetryWaitMs: 20,
    });
    relays.push(relay);
    return { relay, lines };
  }

  const expectedGateway = () => ({
    [`tcp://127.0.0.1:${tcpPort}`]: 'healthy',
    [`http://127.0.0.1:${httpPort}/a`]: 'healthy',
    [`http://127.0.0.1:${httpPort}/b`]: 'healthy',
    [`tcp://127.0.0.1:${closedPort}`]: 'dead',
  });
  const expectedJobs = { '0': 'healthy', '1': 'sick' };

  test('local nodes show the health the relay probed, stop reporting → dead after interval + local_delay_dead', async () => {
    const { relay } = start();
    await waitFor(
      () =>
        Object.keys(replicasOf(vigil, 'gateway')).length === 4 &&
        Object.keys(replicasOf(vigil, 'jobs')).length === 2,
      'every replica reported',
    );
    assert.deepEqual(replicasOf(vigil, 'gateway'), expectedGateway());
    assert.deepEqual(replicasOf(vigil, 'jobs'), expectedJobs);

    // Vigil Local's HTTP check: HEAD, its User-Agent, no cache-buster query; probes ran side by side.
    const head = headRequests[0];
    assert.equal(head?.method, 'HEAD');
    assert.equal(head?.url, '/a');
    assert.equal(head?.headers['user-agent'], `vigil-local/${VERSION}`);
    assert.ok(mostInFlight >= 2, `probes overlapped: at most ${mostInFlight} at once`);

    await relay.stop();
    const tcpReplica = vigil.model.node('internal', 'gateway')?.replicas.get(`tcp://127.0.0.1:${tcpPort}`);
    const lastReportMs = tcpReplica?.report?.atMs ?? 0;
    assert.equal(tcpReplica?.health, 'healthy');
    await waitFor(() => tcpReplica?.health === 'dead', 'the silent replica to die', 4000);
    const silentMs = Date.now() - lastReportMs;
    // interval (1 s) + local_delay_dead (1 s), give or take timer slack.
    assert.ok(silentMs >= 1950 && silentMs < 2600, `dead after ${silentMs} ms of silence`);
  });

  test('keeps reporting through a server restart, without restarting the relay (vigil-local #4)', async () => {
    const { relay, lines } = start();
    await waitFor(() => replicasOf(vigil, 'gateway')[`tcp://127.0.0.1:${tcpPort}`] === 'healthy', 'a report');

    const { port } = vigil;
    await vigil.stop();
    await waitFor(
      () => lines.some((line) => line.level === 'error' && line.message.includes('could not report')),
      'a failed report to be logged',
    );
    vigil = await startTestVigil(SERVER_PROBES, { metrics: 'local_delay_dead = 1', port });
    // The new server starts with empty local nodes; the relay's next cycle fills them again.
    assert.deepEqual(replicasOf(vigil, 'gateway'), {});
    await waitFor(
      () =>
        Object.keys(replicasOf(vigil, 'gateway')).length === 4 &&
        Object.keys(replicasOf(vigil, 'jobs')).length === 2,
      'every replica reported to the new server',
    );
    assert.deepEqual(replicasOf(vigil, 'gateway'), expectedGateway());
    assert.deepEqual(replicasOf(vigil, 'jobs'), expectedJobs);
    await waitFor(
      () => lines.some((line) => line.message.includes('works again')),
      'the recovery to be logged',
    );
    await relay.stop();
  });

  test('reports reach the server in config order, whichever probe finishes first', async () => {
    const slow = `http://127.0.0.1:${httpPort}/slow`;
    const fast = `tcp://127.0.0.1:${tcpPort}`;
    const { relay } = start({
      extraNode: `[[probe.service.node]]\nid = "ordered"\nmode = "poll"\nreplicas = ["${slow}", "${fast}"]`,
    });
    await waitFor(() => Object.keys(replicasOf(vigil, 'ordered')).length === 2, 'both replicas reported');
    // The server keeps replicas in the order their first reports came: box 1 is the slow one.
    assert.deepEqual(Object.keys(replicasOf(vigil, 'ordered')), [slow, fast]);
    await relay.stop();
  });

  test('stops promptly, even with a script in flight', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-local-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const marker = join(dir, 'started');
    const script = `touch ${marker}; sleep 30`;
    const { relay } = start({
      extraNode: `[[probe.service.node]]\nid = "slow"\nmode = "script"\nscripts = ["${script}"]`,
    });
    await waitFor(() => existsSync(marker), 'the slow script to start');
    const startedMs = Date.now();
    await relay.stop();
    assert.ok(Date.now() - startedMs < 1000, `stopped in ${Date.now() - startedMs} ms`);
  });
});
