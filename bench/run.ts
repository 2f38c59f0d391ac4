// `npm run bench [-- name …]`: runs the benchmarks named (all by default) and prints each figure
// beside its baseline and target. BENCH_STRICT=1 makes a MISS fail the run, for CI.
import { availableParallelism, loadavg } from 'node:os';
import type { Benchmark, Verdict } from './lib/benchmark.js';
import { killAllChildren } from './lib/child.js';
import { formatTable } from './lib/table.js';

/** One line per benchmark: its name on the command line, and its module, loaded only when selected. */
const BENCHMARKS: Record<string, () => Promise<{ default: Benchmark }>> = {
  reporter: () => import('./reporter.js'),
  'poll-round': () => import('./poll-round.js'),
  'poll-round-binary': () => import('./poll-round-binary.js'),
  'icmp-round': () => import('./icmp-round.js'),
  memory: () => import('./memory.js'),
  'alert-latency': () => import('./alert-latency.js'),
  store: () => import('./store.js'),
  page: () => import('./page-benchmark.js'),
  'page-scale': () => import('./page-scale.js'),
  'mass-death': () => import('./mass-death.js'),
  cluster: () => import('./cluster.js'),
  'idle-rss': () => import('./idle-rss.js'),
};

// Children must never outlive the run: normal exit, crash or Ctrl-C.
process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}
const selected = requested.length > 0 ? requested : Object.keys(BENCHMARKS);

/** Other work on the box skews every figure; the 1-minute load average says how much there was. */
const load = () => loadavg()[0]?.toFixed(2) ?? '?';

console.log(
  `Vigil TS benchmarks — Node ${process.version}, ${availableParallelism()} CPUs, load average ${load()}, ${new Date().toISOString()}`,
);
const verdicts: Verdict[] = [];
let failed = 0;
for (const name of selected) {
  const importBenchmark = BENCHMARKS[name];
  if (!importBenchmark) continue;
  const started = performance.now();
  try {
    const benchmark = (await importBenchmark()).default;
    console.log(`\n== ${name}: ${benchmark.title}`);
    const report = await benchmark.run();
    console.log(formatTable(report.rows));
    for (const note of report.notes) console.log(`  · ${note}`);
    verdicts.push(...report.rows.map((row) => row.verdict));
  } catch (error) {
    failed++;
    console.error(
      `\n== ${name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  } finally {
    killAllChildren();
  }
  console.log(
    `  (${name} took ${((performance.now() - started) / 1000).toFixed(1)} s; load average now ${load()})`,
  );
}

const misses = verdicts.filter((verdict) => verdict === 'MISS').length;
const passes = verdicts.filter((verdict) => verdict === 'PASS').length;
console.log(`\n${passes} PASS, ${misses} MISS${failed > 0 ? `, ${failed} benchmark(s) failed` : ''}`);
process.exitCode = failed > 0 || (process.env.BENCH_STRICT === '1' && misses > 0) ? 1 : 0;
