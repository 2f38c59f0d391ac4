// Idle memory of the real `vigil` binary (packages/server/bin/vigil.js over dist/bundle/) on the shipped
// config.cfg, beside a bare `node` process started at the same time, and the same binary with the
// idle heap shrinker off (`--no-optimize-for-size`, the behaviour before it) and with the
// deployment's malloc settings (deploy/vigil.service, Containerfile). Then push reports on the
// three binaries, in alternating slices, for the CPU a report costs, and the memory once idle again.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exited, freePort, waitForHttp } from '../packages/server/test/helpers/cli.js';
import { runLoad } from './lib/autocannon.js';
import { type Benchmark, type FigureRow, judge } from './lib/benchmark.js';
import { envNumber } from './lib/env.js';
import { processCpuMs } from './lib/host.js';
import { count, megabytes, ratio } from './lib/table.js';
import { BUILT_BINARY, buildBinary } from './lib/vigil-binary.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Issue 9: the shipped config idles in at most 60 MB. */
const TARGET_BYTES = 60 * 1024 * 1024;
/** Long enough for the shrinker's two collections, 10 and 15 idle seconds after the start. */
const SETTLE_SECONDS = envNumber('BENCH_IDLE_SETTLE_SECONDS', 25);
const LOAD_SECONDS = envNumber('BENCH_SECONDS', 8);
/** Each server's load comes in this many slices, alternating between the two, so the box's other work skews both alike. */
const SLICES = 2;
const CONNECTIONS = 16;
/** config.cfg's push node and its (example) reporter token. */
const REPORT_PATH = '/reporter/apps/demo/';
const REPORTER_TOKEN = 'change-me-reporter-token';
const SHIPPED_ADDRESS = '127.0.0.1:8080';
/** glibc's settings in deploy/vigil.service and the Containerfile. */
const DEPLOYED_MALLOC = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' };

interface Memory {
  rss: number;
  anon: number;
  file: number;
  threads: number;
}

function memoryOf(pid: number | undefined): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(status.match(new RegExp(`${name}:\\s+(\\d+)`))?.[1] ?? Number.NaN);
  return {
    rss: field('VmRSS') * 1024,
    anon: field('RssAnon') * 1024,
    file: field('RssFile') * 1024,
    threads: field('Threads'),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Server {
  name: string;
  child: ChildProcess;
  url: string;
}

/** The binary on config.cfg with only its address moved to a free port, in `name`'s folder (its store). */
async function startVigil(
  name: string,
  folder: string,
  nodeArgs: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Server> {
  const port = await freePort();
  const config = readFileSync(join(ROOT, 'config.cfg'), 'utf8').replaceAll(
    SHIPPED_ADDRESS,
    `127.0.0.1:${port}`,
  );
  const own = join(folder, name);
  mkdirSync(own, { recursive: true });
  const path = join(own, 'config.cfg');
  writeFileSync(path, config);
  const child = spawn(process.execPath, [...nodeArgs, BUILT_BINARY, '-c', path], {
    cwd: own,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, 30_000);
  return { name, child, url };
}

/**
 * `startVigil` on a store that a first start made and a stop closed: a restart, as a deployment
 * runs most of its life (reopening a store does work a new one skips: the executed migrations are
 * read and ordered, history is loaded).
 */
async function restartVigil(
  name: string,
  folder: string,
  nodeArgs: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Server> {
  await stop((await startVigil(name, folder, nodeArgs, env)).child);
  return startVigil(name, folder, nodeArgs, env);
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await exited(child);
}

const BODIES = Array.from({ length: 100 }, (_, index) =>
  JSON.stringify({ replica: `host-${index + 1}`, interval: 30, load: { cpu: 0.42, ram: 0.61 } }),
);

interface Burst {
  cpuMs: number;
  reports: number;
}

/** Push reports on the shipped config's push node for one slice; adds the server's CPU and 2xx answers to `tally`. */
async function burst(server: Server, tally: Burst): Promise<void> {
  const before = processCpuMs(server.child.pid ?? 0) ?? 0;
  const load = await runLoad({
    url: `${server.url}${REPORT_PATH}`,
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`:${REPORTER_TOKEN}`).toString('base64')}`,
      'content-type': 'application/json; charset=utf-8',
    },
    connections: CONNECTIONS,
    durationSeconds: LOAD_SECONDS / SLICES,
    bodies: BODIES,
  });
  tally.cpuMs += (processCpuMs(server.child.pid ?? 0) ?? 0) - before;
  tally.reports += load.ok;
  if (load.non2xx + load.errors > 0)
    throw new Error(`${server.name}: ${load.non2xx} non-2xx, ${load.errors} errors`);
}

const perReportUs = ({ cpuMs, reports }: Burst) => (cpuMs * 1000) / reports;

const split = (memory: Memory) =>
  `${megabytes(memory.anon)} anonymous + ${megabytes(memory.file)} file-backed, ${memory.threads} threads`;

const benchmark: Benchmark = {
  title: `Idle RSS: the real binary on config.cfg, ${SETTLE_SECONDS} s after start, beside bare node`,
  async run() {
    // The figure is the shipped binary's.
    buildBinary();
    const folder = mkdtempSync(join(tmpdir(), 'vigil-bench-idle-'));
    const children: ChildProcess[] = [];
    try {
      const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
      children.push(bare);
      const shrinking = await restartVigil('vigil', folder, []);
      children.push(shrinking.child);
      const kept = await restartVigil('vigil-no-shrink', folder, ['--no-optimize-for-size']);
      children.push(kept.child);
      // As deploy/vigil.service and the Containerfile run it.
      const deployed = await restartVigil('vigil-deployed-malloc', folder, [], DEPLOYED_MALLOC);
      children.push(deployed.child);
      await sleep(SETTLE_SECONDS * 1000);
      const idle = {
        bare: memoryOf(bare.pid),
        vigil: memoryOf(shrinking.child.pid),
        kept: memoryOf(kept.child.pid),
        deployed: memoryOf(deployed.child.pid),
      };
      // One server loaded at a time, so each has the CPUs to itself (apart from the box's other work).
      const loadedVigil: Burst = { cpuMs: 0, reports: 0 };
      const loadedKept: Burst = { cpuMs: 0, reports: 0 };
      const loadedDeployed: Burst = { cpuMs: 0, reports: 0 };
      for (let slice = 0; slice < SLICES; slice++) {
        await burst(shrinking, loadedVigil);
        await burst(kept, loadedKept);
        await burst(deployed, loadedDeployed);
      }
      await sleep(SETTLE_SECONDS * 1000);
      const after = {
        vigil: memoryOf(shrinking.child.pid),
        kept: memoryOf(kept.child.pid),
        deployed: memoryOf(deployed.child.pid),
      };
      const rows: FigureRow[] = [
        {
          figure: 'idle RSS',
          vigil: megabytes(idle.vigil.rss),
          baseline: `${megabytes(idle.bare.rss)} bare node`,
          ratio: `+${megabytes(idle.vigil.rss - idle.bare.rss)}`,
          target: `≤ ${megabytes(TARGET_BYTES)}`,
          verdict: judge(idle.vigil.rss, TARGET_BYTES, 'lower'),
        },
        {
          figure: 'idle RSS, MALLOC_ARENA_MAX=2, MALLOC_TRIM_THRESHOLD_=131072',
          vigil: megabytes(idle.deployed.rss),
          baseline: `${megabytes(idle.bare.rss)} bare node`,
          ratio: `+${megabytes(idle.deployed.rss - idle.bare.rss)}`,
          target: `≤ ${megabytes(TARGET_BYTES)}`,
          verdict: 'INFO',
        },
        {
          figure: 'idle RSS, shrinker off',
          vigil: megabytes(idle.kept.rss),
          baseline: `${megabytes(idle.bare.rss)} bare node`,
          ratio: `+${megabytes(idle.kept.rss - idle.bare.rss)}`,
          verdict: 'INFO',
        },
        {
          figure: `CPU per report (${LOAD_SECONDS} s of reports)`,
          vigil: `${perReportUs(loadedVigil).toFixed(1)} µs`,
          baseline: `${perReportUs(loadedKept).toFixed(1)} µs shrinker off`,
          ratio: ratio(perReportUs(loadedVigil), perReportUs(loadedKept)),
          verdict: 'INFO',
        },
        {
          figure: "CPU per report, the deployment's malloc settings",
          vigil: `${perReportUs(loadedDeployed).toFixed(1)} µs`,
          baseline: `${perReportUs(loadedVigil).toFixed(1)} µs glibc's defaults`,
          ratio: ratio(perReportUs(loadedDeployed), perReportUs(loadedVigil)),
          verdict: 'INFO',
        },
        {
          figure: `RSS idle again, ${SETTLE_SECONDS} s after the burst`,
          vigil: megabytes(after.vigil.rss),
          baseline: `${megabytes(after.kept.rss)} shrinker off, ${megabytes(after.deployed.rss)} deployment's malloc settings`,
          verdict: 'INFO',
        },
      ];
      return {
        rows,
        notes: [
          `idle: Vigil TS ${split(idle.vigil)}; shrinker off ${split(idle.kept)}; bare node ${split(idle.bare)}`,
          'each server restarted on a store of its own that its first start made',
          `bursts: ${count(loadedVigil.reports)}, ${count(loadedKept.reports)} and ${count(loadedDeployed.reports)} reports, ${CONNECTIONS} connections, ${SLICES} slices each, alternating`,
          'file-backed pages are mostly the node binary itself (V8, ICU, OpenSSL code touched), counted in RSS like the rest',
        ],
      };
    } finally {
      await Promise.all(children.map((child) => stop(child)));
      rmSync(folder, { recursive: true, force: true });
    }
  },
};

export default benchmark;
