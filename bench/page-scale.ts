// The status page at 100,000 replicas in two shapes (few large nodes; many small ones): its size,
// and how long its renders and compression hold the event loop while poll rounds change replicas.
import type { PageScaleApi, PageScaleReady, RenderFigures } from './children/page-scale.js';
import type { Benchmark } from './lib/benchmark.js';
import { type FigureRow, judge } from './lib/benchmark.js';
import { withChild } from './lib/child.js';
import { envNumber } from './lib/env.js';
import { count, megabytes, ms } from './lib/table.js';

const REPLICAS = envNumber('BENCH_PAGE_REPLICAS', 100_000);
const ROUNDS = envNumber('BENCH_PAGE_ROUNDS', 2);
/** Issue 9: the page at 100,000 replicas. */
const TARGET_BYTES = 2 * 1024 * 1024;
/** Issue 9: no render or compression holds the loop longer. */
const TARGET_BLOCK_MS = 20;

const CHILD = new URL('./children/page-scale.ts', import.meta.url);

/** Few nodes with many replicas, and many with few (the poll-round benchmark's shape). */
const SHAPES = [
  { label: 'large nodes', replicasPerNode: 1000 },
  { label: 'small nodes', replicasPerNode: 5 },
];

function rows(label: string, figures: RenderFigures): FigureRow[] {
  const at = (figure: string) => `${label}: ${figure}`;
  return [
    {
      figure: at('page HTML after the rounds (gzip)'),
      vigil: `${megabytes(figures.bytes)} (${count(figures.gzipBytes / 1024)} kB)`,
      baseline: '',
      target: `≤ ${megabytes(TARGET_BYTES)}`,
      verdict: judge(figures.bytes, TARGET_BYTES, 'lower'),
    },
    {
      figure: at('longest render slice, CPU (real time)'),
      vigil: `${ms(figures.longestSliceCpuMs)} (${ms(figures.longestSliceMs)})`,
      baseline: '',
      target: `≤ ${TARGET_BLOCK_MS} ms`,
      verdict: judge(figures.longestSliceCpuMs, TARGET_BLOCK_MS, 'lower'),
    },
    {
      figure: at('compression on the loop, CPU (real time)'),
      vigil: `${ms(figures.compressionStartCpuMs)} (${ms(figures.compressionStartMs)})`,
      baseline: '',
      target: `≤ ${TARGET_BLOCK_MS} ms`,
      verdict: judge(figures.compressionStartCpuMs, TARGET_BLOCK_MS, 'lower'),
    },
    {
      figure: at('loop held longest, page only (renders + compression)'),
      vigil: ms(figures.renderLoopMaxMs),
      baseline: `idle ${ms(figures.idleLoopMaxMs)}`,
      verdict: 'INFO',
    },
    {
      figure: at('render: incremental median / max vs whole'),
      vigil: `${ms(figures.incrementalMedianMs)} / ${ms(figures.incrementalMaxMs)}`,
      baseline: `whole ${ms(figures.fullRenderMs)}`,
      verdict: 'INFO',
    },
    {
      figure: at('loop held longest during the rounds (results applied too)'),
      vigil: ms(figures.roundLoopMaxMs),
      baseline: '',
      verdict: 'INFO',
    },
    {
      figure: at('page HTML with every replica dead'),
      vigil: megabytes(figures.allDeadBytes),
      baseline: '',
      verdict: 'INFO',
    },
  ];
}

const benchmark: Benchmark = {
  title: `Status page at ${count(REPLICAS)} replicas: size, render and compression holds of the event loop`,
  async run() {
    const report: FigureRow[] = [];
    const notes: string[] = [];
    for (const { label, replicasPerNode } of SHAPES) {
      const nodes = Math.max(1, Math.round(REPLICAS / replicasPerNode));
      const figures = await withChild<PageScaleApi, PageScaleReady, RenderFigures>(
        CHILD,
        { args: [String(nodes), String(replicasPerNode)] },
        (child) => child.call('measure', { rounds: ROUNDS }, 600_000),
      );
      const name = `${count(nodes)} × ${count(replicasPerNode)}`;
      report.push(...rows(name, figures));
      notes.push(
        `${name} (${label}): ${figures.renders} renders during ${ROUNDS} rounds of results in batches of 1,000 every 20 ms, ~1% sick or dead each round; whole-page HTML before the rounds ${megabytes(figures.fullBytes)}`,
      );
    }
    return { rows: report, notes };
  },
};

export default benchmark;
