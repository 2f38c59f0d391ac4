/**
 * Status page throughput at 1,000 nodes × 5 replicas: Vigil TS's `GET /` against a bare node:http
 * server sending the very same bytes (target: at least half its requests per second).
 *
 *   node --import tsx bench/page.ts [--duration=5] [--rounds=3] [--connections=50] [--encoding=gzip|br|identity]
 *
 * Each server runs in its own child process, so autocannon does not share its event loop. Rounds
 * alternate between the two servers and the median round counts, so a burst of load elsewhere on
 * the machine does not decide the comparison.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, get, type IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { parse } from 'smol-toml';
import { configSchema } from '../packages/server/src/config/schema.js';
import type { Health } from '../packages/server/src/model/health.js';
import { HealthModel, healthModelSettings } from '../packages/server/src/model/health-model.js';
import { buildTopology } from '../packages/server/src/model/topology.js';
import { systemClock } from '../packages/server/src/time/clock.js';
import { sourcesFor } from '../packages/server/test/helpers/model.js';
import { buildTestApp } from '../packages/server/test/helpers/server.js';

const SERVICES = 50;
const NODES_PER_SERVICE = 20;
const REPLICAS_PER_NODE = 5;
const TARGET_RATIO = 0.5;

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  throughput: { average: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: object) => Promise<AutocannonResult>;
// autocannon ships no types; this is the slice of its programmatic API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values: args } = parseArgs({
  options: {
    serve: { type: 'string' },
    body: { type: 'string' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    encoding: { type: 'string', default: 'gzip' },
  },
});

/** A config of SERVICES × NODES_PER_SERVICE poll nodes, REPLICAS_PER_NODE replicas each. */
function largeConfigToml(): string {
  const services: string[] = [];
  for (let s = 0; s < SERVICES; s++) {
    services.push(`[[probe.service]]\nid = "service-${s}"\nlabel = "Service ${s}"`);
    for (let n = 0; n < NODES_PER_SERVICE; n++) {
      const replicas = Array.from(
        { length: REPLICAS_PER_NODE },
        (_, r) => `"http://10.${s}.${n}.${r}:8080/health"`,
      );
      services.push(
        `[[probe.service.node]]\nid = "node-${n}"\nlabel = "Node ${s}.${n}"\nmode = "poll"\n` +
          `replicas = [${replicas.join(', ')}]\nreveal_replica_name = ${n % 2 === 0}\n` +
          `link_url = "https://docs.example.com/${s}/${n}"`,
      );
    }
  }
  return `
[server]
manager_token = "m"
reporter_token = "r"
[branding]
page_url = "https://status.example.com/"
company_name = "Example Inc"
icon_color = "#1972F5"
icon_url = "https://status.example.com/assets/logo.svg"
logo_color = "#1972F5"
logo_url = "https://status.example.com/assets/logo.svg"
website_url = "https://example.com/"
support_url = "mailto:support@example.com"
[metrics]
[probe]
${services.join('\n')}
`;
}

/** Child: the real app over a model where every replica has been probed (a few sick or dead). */
async function serveVigil(): Promise<void> {
  const config = configSchema.parse(parse(largeConfigToml()));
  const model = new HealthModel(buildTopology(config), healthModelSettings(config.metrics), systemClock);
  const observe = sourcesFor(model, systemClock);
  let index = 0;
  for (const service of model.services.values()) {
    for (const node of service.nodes.values()) {
      for (const replicaId of node.replicas.keys()) {
        index += 1;
        const health: Health = index % 97 === 0 ? 'dead' : index % 31 === 0 ? 'sick' : 'healthy';
        const ref = { serviceId: service.spec.id, nodeId: node.spec.id, replicaId };
        observe.probe(ref, {
          health,
          latencyMs: (index * 37) % 900,
          reason: health === 'healthy' ? undefined : 'timeout',
        });
      }
    }
  }
  const app = buildTestApp({ settings: config, model, logger: pino({ level: 'silent' }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
}

/** Child: node:http answering every request with the captured response, nothing else. */
async function serveBare(bodyFile: string): Promise<void> {
  const { headers, body } = JSON.parse(readFileSync(bodyFile, 'utf8')) as {
    headers: Record<string, string>;
    body: string;
  };
  const bytes = Buffer.from(body, 'base64');
  const server = createServer((_request, response) => {
    response.writeHead(200, headers);
    response.end(bytes);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
  });
}

/** Starts this script as a server child and resolves with its port. */
function startChild(extraArgs: string[]): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server child exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /READY (\d+)/.exec(chunk.toString());
      if (match) resolve({ child, port: Number(match[1]) });
    });
  });
}

/** The response exactly as sent: fetch would decode the body. */
function rawGet(
  port: number,
  headers: Record<string, string>,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

function run(
  port: number,
  headers: Record<string, string>,
  durationSeconds: number,
): Promise<AutocannonResult> {
  return autocannon({
    url: `http://127.0.0.1:${port}/`,
    headers,
    connections: Number(args.connections),
    duration: durationSeconds,
  });
}

/** The round with the median request rate. */
function median(results: AutocannonResult[]): AutocannonResult {
  const sorted = [...results].sort((a, b) => a.requests.average - b.requests.average);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (!middle) throw new Error('no rounds ran');
  return middle;
}

async function main(): Promise<void> {
  if (args.serve === 'vigil') return serveVigil();
  if (args.serve === 'bare' && args.body) return serveBare(args.body);

  const requestHeaders: Record<string, string> =
    args.encoding === 'identity' ? {} : { 'accept-encoding': String(args.encoding) };
  const vigil = await startChild(['--serve=vigil']);
  const children = [vigil.child];
  try {
    const plain = await rawGet(vigil.port, {});
    const page = await rawGet(vigil.port, requestHeaders);
    const captured = {
      headers: Object.fromEntries(
        ['content-type', 'content-encoding', 'etag', 'cache-control', 'vary']
          .filter((name) => page.headers[name] !== undefined)
          .map((name) => [name, String(page.headers[name])]),
      ),
      body: page.body.toString('base64'),
    };
    const bodyFile = join(tmpdir(), `vigil-bench-page-${process.pid}.json`);
    writeFileSync(bodyFile, JSON.stringify(captured));
    const bare = await startChild(['--serve=bare', `--body=${bodyFile}`]);
    children.push(bare.child);

    console.log(
      `page at ${SERVICES * NODES_PER_SERVICE} nodes × ${REPLICAS_PER_NODE} replicas: ` +
        `${(plain.body.length / 1024).toFixed(0)} KiB HTML, ${(page.body.length / 1024).toFixed(1)} KiB as ${args.encoding}; ` +
        `${args.connections} connections, median of ${args.rounds} alternating rounds of ${args.duration} s`,
    );
    const servers = [
      { name: 'vigil-ts GET /', port: vigil.port, rounds: [] as AutocannonResult[] },
      { name: 'bare node:http', port: bare.port, rounds: [] as AutocannonResult[] },
    ];
    // Warm-up: JIT and socket pools.
    for (const server of servers) await run(server.port, requestHeaders, 2);
    for (let round = 0; round < Number(args.rounds); round++) {
      for (const server of servers)
        server.rounds.push(await run(server.port, requestHeaders, Number(args.duration)));
    }
    const results = servers.map((server) => [server.name, median(server.rounds)] as const);
    for (const [name, result] of results) {
      console.log(
        `${name.padEnd(16)} ${result.requests.average.toFixed(0).padStart(7)} req/s  p50 ${result.latency.p50} ms  ` +
          `p99 ${result.latency.p99} ms  ${(result.throughput.average / 1048576).toFixed(1)} MiB/s  ` +
          `errors ${result.errors + result.non2xx}`,
      );
    }
    const ratio = (results[0]?.[1].requests.average ?? 0) / (results[1]?.[1].requests.average ?? 1);
    const verdict = ratio >= TARGET_RATIO ? 'ok' : 'BELOW TARGET';
    console.log(`vigil-ts / bare = ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}) ${verdict}`);
    if (ratio < TARGET_RATIO) process.exitCode = 1;
  } finally {
    for (const child of children) child.kill();
  }
}

await main();
