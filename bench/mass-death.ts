// Issue 15, point 4: 100,000 push replicas whose deadlines fall due at the same instant. Figures:
// how long the model takes to mark them all dead, and how long `/status/text` takes to answer
// meanwhile and just after, against the same server idle. The server runs in a child process;
// this process sends the requests one after another.
import type { MassDeathApi, MassDeathReady, MassDeathTimes } from './children/mass-death.js';
import { type Benchmark, type FigureRow, judge } from './lib/benchmark.js';
import { withChild } from './lib/child.js';
import { envNumber } from './lib/env.js';
import { count, ms } from './lib/table.js';

const SCRIPT = new URL('./children/mass-death.ts', import.meta.url);
const TARGET_MS = 100;
/** Answers are collected until this long after the last death. */
const AFTER_MS = 2000;

interface Answer {
  startedAtMs: number;
  latencyMs: number;
}

async function answer(port: number): Promise<Answer> {
  const startedAtMs = Date.now();
  const started = performance.now();
  await (await fetch(`http://127.0.0.1:${port}/status/text`)).text();
  return { startedAtMs, latencyMs: performance.now() - started };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

async function run(fleet: number, pageRenderIntervalMs: number) {
  return withChild<MassDeathApi, MassDeathReady, { idle: number[]; busy: number[]; times: MassDeathTimes }>(
    SCRIPT,
    { args: [String(pageRenderIntervalMs)] },
    async (child) => {
      const { port } = child.ready;
      const idle: number[] = [];
      for (let index = 0; index < 50; index++) idle.push((await answer(port)).latencyMs);
      let times: MassDeathTimes | undefined;
      const dead = child.call('seed', fleet, 120_000).then((value) => {
        times = value;
      });
      const answers: Answer[] = [];
      while (!times || Date.now() < times.allDeadAtMs + AFTER_MS) answers.push(await answer(port));
      await dead;
      const { seededAtMs } = times;
      // A request sent during the seeding waited for it: only its wait after the seeding counts.
      const busy = answers
        .filter((each) => each.startedAtMs + each.latencyMs > seededAtMs)
        .map((each) => each.startedAtMs + each.latencyMs - Math.max(each.startedAtMs, seededAtMs));
      return { idle, busy, times };
    },
  );
}

const benchmark: Benchmark = {
  title: 'Mass death: push replicas all silent at the same instant, /status/text meanwhile',
  async run() {
    const fleet = envNumber('BENCH_MASS_DEATH_REPLICAS', 100_000);
    const rows: FigureRow[] = [];
    const notes: string[] = [];
    for (const [label, intervalMs] of [
      ['page render held off', 3_600_000],
      ['page rendering (200 ms)', 200],
    ] as const) {
      const { idle, busy, times } = await run(fleet, intervalMs);
      const sortedIdle = [...idle].sort((a, b) => a - b);
      const sortedBusy = [...busy].sort((a, b) => a - b);
      const worst = sortedBusy.at(-1) ?? Number.NaN;
      rows.push(
        {
          figure: `${count(fleet)} dead, due → all dead (${label})`,
          vigil: ms(times.allDeadAtMs - times.dueAtMs),
          baseline: '',
          verdict: 'INFO',
        },
        {
          figure: `/status/text p50 / p99 / worst wait after seeding, ${label}`,
          vigil: `${ms(percentile(sortedBusy, 0.5))} / ${ms(percentile(sortedBusy, 0.99))} / ${ms(worst)}`,
          baseline: `idle p50 ${ms(percentile(sortedIdle, 0.5))}, worst ${ms(sortedIdle.at(-1) ?? Number.NaN)}`,
          target: label === 'page render held off' ? `worst ≤ ${TARGET_MS} ms` : undefined,
          verdict: label === 'page render held off' ? judge(worst, TARGET_MS, 'lower') : 'INFO',
        },
      );
      notes.push(
        `${label}: seeding ${count(fleet)} reports took ${ms(times.seedMs)}; ${count(busy.length)} answers from the end of seeding to ${AFTER_MS / 1000} s after the last death.`,
      );
    }
    notes.push(
      'The page renders only the rows of nodes that changed, in slices of ~5 ms, and compresses on the thread pool (docs/page.md); a node past 100 replicas shows its counts and at most 100 boxes.',
    );
    return { rows, notes };
  },
};
export default benchmark;
