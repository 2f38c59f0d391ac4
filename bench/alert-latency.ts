// Time from the health model deciding the page is dead to the webhook request arriving on a
// loopback server, through the real server wiring (model → dispatcher → outbox → webhook channel).
// Two ways of dying: a push replica silenced past its deadline (timer), and a relay reporting dead.
// Standalone: `node --conditions=source --import tsx bench/alert-latency.ts`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { startVigil } from '../packages/server/src/main.js';
import { systemClock } from '../packages/server/src/time/clock.js';
import { sourcesFor } from '../packages/server/test/helpers/model.js';
import { listenLoopback } from './lib/bare-http.js';
import type { Benchmark, FigureRow } from './lib/benchmark.js';
import { judge } from './lib/benchmark.js';
import { envNumber } from './lib/env.js';
import { percentile } from './lib/percentile.js';
import { formatTable, ms } from './lib/table.js';
import { loadBenchConfig, SERVICE_ID } from './lib/vigil-config.js';

const TARGET_P99_MS = 1000;
/** An alert that has not arrived by then is counted as lost. */
const ARRIVAL_TIMEOUT_MS = 15_000;
const PUSH_NODE = 'pushed';
const LOCAL_NODE = 'relayed';
const REPLICA = 'bench-1';

const NODES = `
[[probe.service.node]]
id = "${PUSH_NODE}"
label = "Pushed"
mode = "push"
[[probe.service.node]]
id = "${LOCAL_NODE}"
label = "Relayed"
mode = "local"
`;

/** Waiters for the next webhook request of each status, resolved with its arrival time. */
type Arrivals = Map<string, Array<(atMs: number) => void>>;

function webhookServer(arrivals: Arrivals) {
  return listenLoopback((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const arrivedAt = performance.now();
      const { status } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status: string };
      arrivals.get(status)?.shift()?.(arrivedAt);
      response.writeHead(200, { 'Content-Length': '0' }).end();
    });
  });
}

function nextArrival(arrivals: Arrivals, status: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${status} webhook within ${ARRIVAL_TIMEOUT_MS} ms`)),
      ARRIVAL_TIMEOUT_MS,
    );
    const waiters = arrivals.get(status) ?? [];
    waiters.push((atMs) => {
      clearTimeout(timer);
      resolve(atMs);
    });
    arrivals.set(status, waiters);
  });
}

async function measure(deadlineTrials: number, relayTrials: number) {
  const arrivals: Arrivals = new Map();
  const { server, port } = await webhookServer(arrivals);
  // A fresh SQLite store: the outbox is durable, as when serving, and no earlier run's state leaks in.
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-alerts-'));
  const loaded = loadBenchConfig(
    `${NODES}\n[storage]\npath = "${join(dataDir, 'vigil.db')}"\n` +
      `[notify]\nstartup_notification = false\n[notify.webhook]\nhook_url = "http://127.0.0.1:${port}/hook"\n`,
    'push_delay_dead = 0\nlocal_delay_dead = 0',
  );
  const vigil = await startVigil({
    loaded,
    logger: pino({ level: 'silent' }),
    listen: { host: '127.0.0.1', port: 0 },
  });
  const observe = sourcesFor(vigil.model, systemClock);
  let decidedAt = 0;
  vigil.model.events.on('page-changed', ({ current }) => {
    if (current === 'dead') decidedAt = performance.now();
  });

  /** One outage: `kill` makes the page dead, `revive` healthy; returns decision → arrival in ms. */
  const trial = async (kill: () => void, revive: () => void) => {
    const dead = nextArrival(arrivals, 'dead');
    kill();
    const arrivedAt = await dead;
    const latency = arrivedAt - decidedAt;
    const healthy = nextArrival(arrivals, 'healthy');
    revive();
    await healthy;
    return latency;
  };

  try {
    const deadline: number[] = [];
    for (let index = 0; index < deadlineTrials; index += 1) {
      // A 1 s report interval with push_delay_dead = 0: the model's deadline timer kills it 1 s later.
      const report = () => observe.push(SERVICE_ID, PUSH_NODE, REPLICA, 1, { cpu: 0.1, ram: 0.1 });
      deadline.push(await trial(report, () => observe.flush(SERVICE_ID, PUSH_NODE, REPLICA)));
    }
    const relay: number[] = [];
    for (let index = 0; index < relayTrials; index += 1) {
      const report = (health: 'dead' | 'healthy') => () =>
        observe.local(SERVICE_ID, LOCAL_NODE, REPLICA, 3600, health);
      relay.push(await trial(report('dead'), report('healthy')));
    }
    return { deadline, relay };
  } finally {
    await vigil.stop();
    server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function rows(name: string, latencies: number[]): FigureRow[] {
  const sorted = [...latencies].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  return [
    {
      figure: `${name}: p50`,
      vigil: ms(percentile(sorted, 50)),
      baseline: 'up to 10 s (Vigil samples every 10 s)',
      verdict: 'INFO',
    },
    {
      figure: `${name}: p99`,
      vigil: ms(p99),
      baseline: 'up to 10 s',
      target: `≤ ${TARGET_P99_MS} ms`,
      verdict: judge(p99, TARGET_P99_MS, 'lower'),
    },
  ];
}

const benchmark: Benchmark = {
  title: 'Alert latency: page decided dead → webhook request received on 127.0.0.1',
  async run() {
    const deadlineTrials = envNumber('BENCH_ALERT_DEADLINE_TRIALS', 10);
    const relayTrials = envNumber('BENCH_ALERT_TRIALS', 50);
    const { deadline, relay } = await measure(deadlineTrials, relayTrials);
    return {
      rows: [...rows('push deadline', deadline), ...rows('relay reports dead', relay)],
      notes: [
        `${deadlineTrials} push-deadline and ${relayTrials} relay trials, each followed by a recovery that is awaited too`,
        'SQLite outbox (a fresh file); the webhook answers 200 at once; one replica, so each outage is one alert',
      ],
    };
  },
};

export default benchmark;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await benchmark.run();
  console.log(formatTable(report.rows));
  for (const note of report.notes) console.log(`  · ${note}`);
}
