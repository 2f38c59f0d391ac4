// Issue 9's poll figure on the real `vigil` binary (store, history, page and all): N HTTP replicas
// on a loopback target in its own process, poll_parallelism = 256, poll_delay_sick = 1. Prints the
// round time as the target sees it beside a bare node:http loop over the same replicas, the
// replicas left not healthy after each round, /status/text latency during the rounds, memory after
// three rounds (per replica: against the same binary on half as many replicas, and on a 5-replica
// config), and the CPU of each thread.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { exited, freePort, waitForHttp } from '../packages/server/test/helpers/cli.js';
import { BASE_CONFIG } from '../packages/server/test/helpers/config.js';
import type { PollWorkerApi, RoundParams, RoundResult } from './children/poll-worker.js';
import type { RoundTargetApi } from './children/round-target.js';
import { type Benchmark, type FigureRow, judge } from './lib/benchmark.js';
import { type Child, startChild, withChild } from './lib/child.js';
import type { SeenRound } from './lib/cluster-target.js';
import { envNumber, extraNodeArgs } from './lib/env.js';
import { connectionLimits, processRssBytes, threadCpuMs, timeWaitSockets } from './lib/host.js';
import { askHook, MEMORY_HOOK_ARGS } from './lib/memory-hook.js';
import { percentile } from './lib/percentile.js';
import type { ServerReady } from './lib/rpc.js';
import { count, megabytes, ms, ratio } from './lib/table.js';
import { BUILT_BINARY, buildBinary } from './lib/vigil-binary.js';
import { pollNodes, REPLICAS_PER_NODE } from './lib/vigil-config.js';
import { describeFailures } from './lib/vigil-round.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PARALLELISM = 256;
const ROUNDS = 3;
const TINY_REPLICAS = REPLICAS_PER_NODE;
/** Issue 9's bounds. */
const TARGET_ROUND_RATIO = 1.3;
/**
 * "Both cores used": the process's CPU over the rounds, in cores. Checks run on the prober thread,
 * the model, store and page on the main one; whether the process gets more than one core also
 * depends on what else runs (here the target and the runner, on the same 2 cores).
 */
const TARGET_CORES = 1;
const TARGET_STATUS_P99_MS = 50;
const TARGET_BYTES_PER_REPLICA = 1536;
/** /status/text is asked one request after another, this long apart. */
const SAMPLE_PAUSE_MS = 50;
/** Per-thread CPU is read this often, and diffed around each round. */
const CPU_READ_EVERY_MS = 250;
/** Bounds on waiting: far above any round seen, so a slow one is reported rather than cut short. */
const START_TIMEOUT_MS = 300_000;
const ROUND_TIMEOUT_MS = 900_000;
/** Memory is read this far into the pause (poll_interval) after the last round, before the next one. */
const MEMORY_INTO_PAUSE = 0.7;

interface Settings {
  replicas: number;
  intervalS: number;
  /** From the TypeScript source through tsx (as the tests and the cluster benchmark run it), not the build. */
  fromSource: boolean;
}

interface Sample {
  sentAtMs: number;
  latencyMs: number;
}

interface CpuReading {
  atMs: number;
  threads: Map<number, number>;
}

/** One isolate's heap after its full GCs, in bytes: used, committed, and the young generation's part. */
interface IsolateHeap {
  used: number;
  committed: number;
  young: number;
}

/** What `memory-hook.cjs` answers: the process after full GCs of every isolate. */
interface Memory {
  rss: number;
  heapUsed: number;
  /** The main thread's ArrayBuffers (typed arrays, Buffers): outside its heap, inside the RSS. */
  arrayBuffers: number;
  /** Resident anonymous memory (heaps, malloc) and file-backed (the binary, ICU, SQLite's file). */
  rssAnon: number;
  rssFile: number;
  /** Resident in glibc's malloc arenas (main and threads'); mmapped large blocks are not included. */
  mallocArenas: number;
  main: IsolateHeap;
  /** Each worker thread's (the prober thread's), when there is one. */
  workers: IsolateHeap[];
}

interface BinaryRun {
  rounds: SeenRound[];
  notHealthy: number[];
  /** RSS read in the pause after each round, without forcing a GC. */
  rssAfterRound: number[];
  samples: Sample[];
  failedSamples: number;
  cpu: CpuReading[];
  pid: number;
  memory: Memory;
  rssBeforeGc: number;
  startupMs: number;
  reprobes: number;
  unhealthyReasons: Record<string, number>;
  errors: string[];
}

const progress = (message: string) =>
  console.error(`  … ${new Date().toISOString().slice(11, 19)} ${message}`);

function nodeArgs(fromSource: boolean): string[] {
  // `--require`, not `--import`: a required preload also runs in each worker thread.
  const common = [...extraNodeArgs(), ...MEMORY_HOOK_ARGS];
  return fromSource
    ? ['--conditions=source', '--import', 'tsx', ...common, 'packages/server/src/cli.ts']
    : [...common, BUILT_BINARY];
}

function config(port: number, folder: string, replicas: number, intervalS: number, targetPort: number) {
  const base = BASE_CONFIG.replace('inet = "127.0.0.1:0"', `inet = "127.0.0.1:${port}"`).replace(
    'log_level = "off"',
    'log_level = "info"',
  );
  const url = (replica: number) => `http://127.0.0.1:${targetPort}/r/${replica}`;
  return (
    `${base}poll_interval = ${intervalS}\npoll_parallelism = ${PARALLELISM}\npoll_delay_sick = 1\n` +
    `[storage]\npath = ${JSON.stringify(join(folder, 'vigil.db'))}\n` +
    '[probe]\n[[probe.service]]\nid = "web"\nlabel = "Web"\n' +
    pollNodes(Math.ceil(replicas / REPLICAS_PER_NODE), REPLICAS_PER_NODE, url)
  );
}

/** What the binary's JSON log lines tell: replicas that turned sick or dead (and why), re-probes, errors. */
function readLog(child: ChildProcess) {
  const tally = { reprobes: 0, unhealthyReasons: {} as Record<string, number>, errors: [] as string[] };
  const lines = child.stdout ? createInterface({ input: child.stdout }) : undefined;
  lines?.on('line', (line) => {
    let entry: { level?: number; msg?: string; current?: string; reason?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return;
    }
    const message = entry.msg ?? '';
    if (message.startsWith('re-probing')) tally.reprobes += 1;
    if (entry.current === 'sick' || entry.current === 'dead') {
      const reason = (entry.reason ?? entry.current).replace(/\d+ ms/, 'N ms');
      tally.unhealthyReasons[reason] = (tally.unhealthyReasons[reason] ?? 0) + 1;
    }
    if ((entry.level ?? 0) >= 50 && tally.errors.length < 5) tally.errors.push(message);
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = `${stderr}${chunk.toString()}`.slice(-4000);
  });
  return { tally, stderr: () => stderr };
}

/** Replicas not healthy in `/api/v1/status` (every replica of a 5-replica node is listed). */
async function notHealthy(url: string): Promise<number> {
  const document = (await (await fetch(`${url}/api/v1/status`)).json()) as {
    services: Array<{ nodes: Array<{ replicas: Array<{ status: string }> }> }>;
  };
  return document.services
    .flatMap((service) => service.nodes)
    .flatMap((node) => node.replicas)
    .filter((replica) => replica.status !== 'healthy').length;
}

/** `GET /status/text` one after another until `done`. */
async function sampleStatusText(url: string, done: () => boolean) {
  const samples: Sample[] = [];
  let failed = 0;
  while (!done()) {
    const sentAtMs = Date.now();
    const started = performance.now();
    try {
      await (await fetch(`${url}/status/text`, { signal: AbortSignal.timeout(60_000) })).text();
      samples.push({ sentAtMs, latencyMs: performance.now() - started });
    } catch {
      failed += 1;
    }
    await sleep(SAMPLE_PAUSE_MS);
  }
  return { samples, failed };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** Starts the binary on `replicas`, lets it make ROUNDS rounds, and reads what it did. */
async function runBinary(
  target: Child<RoundTargetApi, ServerReady>,
  replicas: number,
  settings: Settings,
): Promise<BinaryRun> {
  const folder = mkdtempSync(join(tmpdir(), 'vigil-bench-poll-'));
  const port = await freePort();
  const path = join(folder, 'vigil.cfg');
  writeFileSync(path, config(port, folder, replicas, settings.intervalS, target.ready.port));
  const url = `http://127.0.0.1:${port}`;
  const spawnedAtMs = Date.now();
  const child = spawn(process.execPath, [...nodeArgs(settings.fromSource), '-c', path], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // run.ts exits on Ctrl-C without unwinding: the binary must not outlive it.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const log = readLog(child);
  const pid = child.pid ?? -1;
  let sampling = true;
  let sampler: ReturnType<typeof sampleStatusText> | undefined;
  const cpu: CpuReading[] = [];
  const cpuTimer = setInterval(
    () => cpu.push({ atMs: Date.now(), threads: threadCpuMs(pid) }),
    CPU_READ_EVERY_MS,
  );
  try {
    try {
      await waitForHttp(`${url}/status/text`, START_TIMEOUT_MS);
    } catch (error) {
      throw new Error(`vigil did not start:\n${log.stderr()}`, { cause: error });
    }
    const startupMs = Date.now() - spawnedAtMs;
    sampler = sampleStatusText(url, () => !sampling);
    const notHealthyAfter: number[] = [];
    const rssAfterRound: number[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      await waitFor(
        async () => (await target.call('rounds', spawnedAtMs)).length >= round,
        ROUND_TIMEOUT_MS,
        `round ${round} of ${count(replicas)} replicas`,
      );
      // Read in the pause after the round (its results are in: batches are at most 20 ms late).
      notHealthyAfter.push(await notHealthy(url));
      rssAfterRound.push(processRssBytes(pid) ?? 0);
      progress(`${count(replicas)} replicas: round ${round} done, ${notHealthyAfter.at(-1)} not healthy`);
    }
    const rounds = (await target.call('rounds', spawnedAtMs)).slice(0, ROUNDS);
    sampling = false;
    const { samples, failed } = await sampler;
    // At the same point of the pause after the last round in every run (the prober thread gives
    // its round's memory back a few seconds into the pause, see scheduler/worker/idle-collection.ts).
    const lastRoundEndMs = rounds.at(-1)?.endMs ?? Date.now();
    await sleep(Math.max(0, lastRoundEndMs + settings.intervalS * MEMORY_INTO_PAUSE * 1000 - Date.now()));
    const rssBeforeGc = processRssBytes(pid) ?? 0;
    const memory = await askHook<Memory>(child, 'memory');
    return {
      rounds,
      notHealthy: notHealthyAfter,
      rssAfterRound,
      samples,
      failedSamples: failed,
      cpu,
      pid,
      memory,
      rssBeforeGc,
      startupMs,
      ...log.tally,
    };
  } finally {
    sampling = false;
    await sampler?.catch(() => undefined);
    clearInterval(cpuTimer);
    kill();
    process.off('exit', kill);
    await exited(child);
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The bare loop over the same replicas at the same parallelism, as the target sees it. */
async function bareRound(target: Child<RoundTargetApi, ServerReady>, settings: Settings, gapMs: number) {
  const params: RoundParams = {
    port: target.ready.port,
    replicas: settings.replicas,
    parallelism: PARALLELISM,
    timeoutMs: ROUND_TIMEOUT_MS,
  };
  const timeWaitAtStart = timeWaitSockets();
  const startedAtMs = Date.now();
  const result = await withChild<PollWorkerApi, null, RoundResult>(
    new URL('./children/poll-worker.ts', import.meta.url),
    {},
    (worker) => worker.call('bare', params, ROUND_TIMEOUT_MS + 30_000),
  );
  await sleep(gapMs + 500);
  const [seen] = await target.call('rounds', startedAtMs);
  if (!seen) throw new Error('the target saw no bare round');
  return { result, seen, timeWaitAtStart };
}

type BareRun = Awaited<ReturnType<typeof bareRound>>;

/** Samples sent while a round was on (from the target's view). */
function duringRounds(run: BinaryRun): number[] {
  return run.samples
    .filter((sample) =>
      run.rounds.some(
        (round) => sample.sentAtMs <= round.endMs && sample.sentAtMs + sample.latencyMs >= round.startMs,
      ),
    )
    .map((sample) => sample.latencyMs)
    .sort((a, b) => a - b);
}

/** CPU of each thread summed over the rounds (readings just outside each round), with the rounds' wall time. */
function cpuOverRounds(run: BinaryRun) {
  const perThread = new Map<number, number>();
  let wallMs = 0;
  for (const round of run.rounds) {
    const before = run.cpu.filter((reading) => reading.atMs <= round.startMs).at(-1);
    const after = run.cpu.find((reading) => reading.atMs >= round.endMs);
    if (!before || !after) continue;
    wallMs += after.atMs - before.atMs;
    for (const [thread, cpuMs] of after.threads)
      perThread.set(thread, (perThread.get(thread) ?? 0) + cpuMs - (before.threads.get(thread) ?? 0));
  }
  const main = perThread.get(run.pid) ?? 0;
  const others = [...perThread].filter(([thread]) => thread !== run.pid).map(([, cpuMs]) => cpuMs);
  others.sort((a, b) => b - a);
  const total = main + others.reduce((sum, cpuMs) => sum + cpuMs, 0);
  return { wallMs, main, busiestOther: others[0] ?? 0, rest: total - main - (others[0] ?? 0), total };
}

/** A heap as `used of committed (young generation)`. */
const heapSize = (heap: IsolateHeap) =>
  `${megabytes(heap.used)} of ${megabytes(heap.committed)} (${megabytes(heap.young)})`;

/**
 * Where the RSS after full GCs is, in bytes: the main heap and the worker threads' heaps (committed),
 * the rest of the anonymous memory (malloc, array buffers, stacks), and file-backed pages.
 */
function rssParts(memory: Memory): [main: number, workers: number, otherAnon: number, files: number] {
  const workers = memory.workers.reduce((sum, heap) => sum + heap.committed, 0);
  return [memory.main.committed, workers, memory.rssAnon - memory.main.committed - workers, memory.rssFile];
}

/** The RSS's parts, each heap as `used of committed (young generation)`. */
function memorySplit(memory: Memory): string {
  const [, , otherAnon] = rssParts(memory);
  const workers = memory.workers.length > 0 ? memory.workers.map(heapSize).join(' + ') : 'none';
  return `${heapSize(memory.main)} / ${workers} / ${megabytes(otherAnon)} (malloc arenas ${megabytes(memory.mallocArenas)}) / ${megabytes(memory.rssFile)}`;
}

const cores = (cpuMs: number, wallMs: number) => (wallMs > 0 ? cpuMs / wallMs : Number.NaN);
const share = (value: number) => value.toFixed(2);
const latencies = (sorted: readonly number[]) =>
  `${ms(percentile(sorted, 50))} / ${ms(percentile(sorted, 99))} / ${ms(sorted.at(-1) ?? Number.NaN)}`;
const perCheck = (cpuMs: number, checks: number) => `${((cpuMs * 1000) / checks).toFixed(0)} µs`;
const durations = (rounds: readonly SeenRound[]) => rounds.map((round) => round.endMs - round.startMs);

const benchmark: Benchmark = {
  title: 'Poll round on the real vigil binary: HTTP replicas on 127.0.0.1, poll_parallelism = 256',
  async run() {
    const settings: Settings = {
      replicas: envNumber('BENCH_POLL_BINARY_REPLICAS', 100_000),
      intervalS: envNumber('BENCH_POLL_BINARY_INTERVAL', 10),
      fromSource: process.env.BENCH_VIGIL_SOURCE === '1',
    };
    // The built binary is what users run.
    if (!settings.fromSource) buildBinary();
    const limits = connectionLimits();
    // Rounds are told apart by the pause between them: half of poll_interval.
    const gapMs = (settings.intervalS * 1000) / 2;
    const target = await startChild<RoundTargetApi, ServerReady>(
      new URL('./children/round-target.ts', import.meta.url),
      { args: [String(gapMs)] },
    );
    try {
      const bareBefore = await bareRound(target, settings, gapMs);
      progress(`bare loop: ${ms(bareBefore.seen.endMs - bareBefore.seen.startMs)}; starting vigil`);
      const big = await runBinary(target, settings.replicas, settings);
      // Again, with the sockets Vigil's rounds left in TIME_WAIT: a connect then searches longer for
      // a free port, as in Vigil's own later rounds.
      const bare = await bareRound(target, settings, gapMs);
      progress(
        `bare loop again: ${ms(bare.seen.endMs - bare.seen.startMs)}; half the fleet for what a replica adds, then the small config`,
      );
      // Half the fleet, for what a replica adds: the fixed costs of a busy process are in both runs.
      const half = await runBinary(target, halfOf(settings), settings);
      const tiny = await runBinary(target, TINY_REPLICAS, settings);
      return report(settings, { ...bare, before: bareBefore }, big, { half, tiny }, limits);
    } finally {
      await target.stop();
    }
  },
};

/** The smaller fleet of the slope: what a replica adds is the difference over the other half. */
const halfOf = (settings: Settings) => Math.round(settings.replicas / 2);

/** Memory per replica between two runs: RSS, main heap used, array buffers, and the RSS's parts. */
function perReplica(from: Memory, to: Memory, replicas: number) {
  const [fromParts, toParts] = [rssParts(from), rssParts(to)];
  return {
    rss: (to.rss - from.rss) / replicas,
    heapUsed: (to.heapUsed - from.heapUsed) / replicas,
    arrayBuffers: (to.arrayBuffers - from.arrayBuffers) / replicas,
    parts: toParts.map((part, index) => (part - (fromParts[index] ?? 0)) / replicas),
  };
}

const bytes = (value: number) => `${count(value)} B`;

function report(
  settings: Settings,
  bare: BareRun & { before: BareRun },
  big: BinaryRun,
  { half, tiny }: { half: BinaryRun; tiny: BinaryRun },
  limits: string,
) {
  const bareMs = bare.seen.endMs - bare.seen.startMs;
  const bareBeforeMs = bare.before.seen.endMs - bare.before.seen.startMs;
  const roundMs = durations(big.rounds);
  const worstMs = Math.max(...roundMs);
  const busy = duringRounds(big);
  const quiet = duringRounds(tiny);
  const halfReplicas = halfOf(settings);
  const slope = perReplica(half.memory, big.memory, settings.replicas - halfReplicas);
  const overTiny = perReplica(tiny.memory, big.memory, settings.replicas - TINY_REPLICAS);
  const cpu = cpuOverRounds(big);
  // Every replica is checked once per round (re-probes aside).
  const checks = settings.replicas * big.rounds.length;
  const worstNotHealthy = Math.max(...big.notHealthy);
  const rows: FigureRow[] = [
    {
      figure: `round duration, slowest of ${ROUNDS} (target's view)`,
      vigil: ms(worstMs),
      baseline: `${ms(bareMs)} (before: ${ms(bareBeforeMs)})`,
      ratio: ratio(worstMs, bareMs),
      target: `≤ ${TARGET_ROUND_RATIO}× bare`,
      verdict: judge(worstMs / bareMs, TARGET_ROUND_RATIO, 'lower'),
    },
    {
      figure: 'replicas not healthy after each round',
      vigil: big.notHealthy.map(count).join(' / '),
      baseline: count(bare.result.checked - bare.result.healthy),
      target: '= 0',
      verdict: judge(worstNotHealthy, 0, 'lower'),
    },
    {
      figure: `/status/text during the rounds: p50 / p99 / max (${count(busy.length)} requests)`,
      vigil: latencies(busy),
      baseline: latencies(quiet),
      target: `p99 ≤ ${TARGET_STATUS_P99_MS} ms`,
      verdict: judge(percentile(busy, 99), TARGET_STATUS_P99_MS, 'lower'),
    },
    {
      figure: `RSS after ${ROUNDS} rounds and full GCs (before GC)`,
      vigil: `${megabytes(big.memory.rss)} (${megabytes(big.rssBeforeGc)})`,
      baseline: `${count(halfReplicas)} replicas: ${megabytes(half.memory.rss)} (${megabytes(half.rssBeforeGc)}); ${TINY_REPLICAS}: ${megabytes(tiny.memory.rss)} (${megabytes(tiny.rssBeforeGc)})`,
      verdict: 'INFO',
    },
    {
      figure: `marginal RSS per replica (from ${count(halfReplicas)} to ${count(settings.replicas)} replicas)`,
      vigil: bytes(slope.rss),
      baseline: '',
      target: `≤ ${count(TARGET_BYTES_PER_REPLICA)} B`,
      verdict: judge(slope.rss, TARGET_BYTES_PER_REPLICA, 'lower'),
    },
    {
      figure: '… of it: main heap / prober thread heap (committed) / other anonymous / files',
      vigil: slope.parts.map(bytes).join(' / '),
      baseline: '',
      verdict: 'INFO',
    },
    {
      figure: `RSS per replica over the ${TINY_REPLICAS}-replica process (a busy process's fixed costs in it)`,
      vigil: bytes(overTiny.rss),
      baseline: overTiny.parts.map(bytes).join(' / '),
      verdict: 'INFO',
    },
    {
      figure: 'main-thread heap used after full GCs; per replica (slope)',
      vigil: `${megabytes(big.memory.heapUsed)}; ${bytes(slope.heapUsed)}`,
      baseline: `${megabytes(half.memory.heapUsed)}; ${TINY_REPLICAS}: ${megabytes(tiny.memory.heapUsed)}`,
      verdict: 'INFO',
    },
    {
      figure: "main thread's array buffers (typed arrays, outside the heap); per replica (slope)",
      vigil: `${megabytes(big.memory.arrayBuffers)}; ${bytes(slope.arrayBuffers)}`,
      baseline: `${megabytes(half.memory.arrayBuffers)}; ${TINY_REPLICAS}: ${megabytes(tiny.memory.arrayBuffers)}`,
      verdict: 'INFO',
    },
    {
      figure:
        'RSS after full GCs: main heap / prober thread heap (used of committed (young generation)) / other anonymous / files',
      vigil: memorySplit(big.memory),
      baseline: `${memorySplit(half.memory)}; ${TINY_REPLICAS}: ${memorySplit(tiny.memory)}`,
      verdict: 'INFO',
    },
    {
      figure: 'CPU during the rounds, cores: process (main / prober thread / rest)',
      vigil: `${share(cores(cpu.total, cpu.wallMs))} (${share(cores(cpu.main, cpu.wallMs))} / ${share(cores(cpu.busiestOther, cpu.wallMs))} / ${share(cores(cpu.rest, cpu.wallMs))})`,
      baseline: `${share(cores(bare.result.cpuMs, bareMs))} (bare loop)`,
      target: `> ${TARGET_CORES} core`,
      verdict: judge(cores(cpu.total, cpu.wallMs), TARGET_CORES, 'higher'),
    },
    {
      figure: 'CPU per check over the rounds: prober thread (whole process)',
      vigil: `${perCheck(cpu.busiestOther, checks)} (${perCheck(cpu.total, checks)})`,
      baseline: `${perCheck(bare.result.cpuMs, bare.result.checked)} (bare loop's process)`,
      verdict: 'INFO',
    },
  ];
  const reasons = Object.entries(big.unhealthyReasons).sort(([, a], [, b]) => b - a);
  return {
    rows,
    notes: [
      `${count(settings.replicas)} replicas (${REPLICAS_PER_NODE} per node), poll_interval = ${settings.intervalS} s, poll_parallelism = ${PARALLELISM}, poll_delay_sick = 1, SQLite store with history, page on; the ${settings.fromSource ? 'source through tsx' : 'built binary (packages/server/bin/vigil.js)'}. Started (config loaded, serving) in ${ms(big.startupMs)}.`,
      `RSS after each round, no GC forced: ${big.rssAfterRound.map(megabytes).join(', ')}.`,
      `Rounds (target's view, first to last request, Vigil's 1 s start spread included): ${roundMs.map(ms).join(', ')}; bare loop ${ms(bareMs)} right after Vigil stopped, with its sockets in TIME_WAIT (${count(bare.timeWaitAtStart ?? 0)} at its start), and ${ms(bareBeforeMs)} before Vigil started (${count(bare.before.timeWaitAtStart ?? 0)} in TIME_WAIT); the ratio is to the one after.`,
      `/status/text: requests one after another ${SAMPLE_PAUSE_MS} ms apart, counted when in flight during a round; baseline: the same binary on ${TINY_REPLICAS} replicas. Failed requests: ${big.failedSamples}.`,
      `Memory: the binary's own process.memoryUsage() after two full GCs of each isolate, the prober thread's too, and glibc's free pages given back as the idle shrinker does (preloaded bench/children/memory-hook.cjs), ${Math.round(settings.intervalS * MEMORY_INTO_PAUSE)} s into the pause after ${ROUNDS} rounds, in each run the same way; marginal = (RSS at ${count(settings.replicas)} − RSS at ${count(halfReplicas)}) ÷ ${count(settings.replicas - halfReplicas)}: both processes are busy, so their fixed costs (the main heap's young generation grown to 32 MB, malloc arenas of the busy threads, code compiled, the prober thread's isolate) cancel out; over the ${TINY_REPLICAS}-replica process, idle between its tiny rounds, they count as if per replica.`,
      `CPU: /proc/<pid>/task/*/stat read every ${CPU_READ_EVERY_MS} ms, summed over the rounds (${ms(cpu.wallMs)}); the busiest thread after the main one is the prober thread. The target and the runner share the 2 cores.`,
      `Re-probes (a slow result measured while the prober thread lagged): ${count(big.reprobes)}.${
        reasons.length > 0
          ? ` Turned sick or dead: ${reasons
              .slice(0, 5)
              .map(([reason, times]) => `${reason} ×${count(times)}`)
              .join('; ')}.`
          : ''
      }`,
      ...big.errors.map((error) => `vigil logged an error: ${error}`),
      ...describeFailures('bare', bare.result),
      `Host: ${limits}.`,
    ],
  };
}

export default benchmark;
