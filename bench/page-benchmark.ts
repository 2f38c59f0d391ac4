// Runs bench/page.ts (a standalone script with its own server children) and reports its figures
// in the runner's table.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Benchmark, judge } from './lib/benchmark.js';

const SCRIPT = fileURLToPath(new URL('./page.ts', import.meta.url));
const LINE = /^(vigil-ts GET \/|bare node:http)\s+(\d+) req\/s\s+p50 ([\d.]+) ms\s+p99 ([\d.]+) ms/;

function runScript(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', SCRIPT], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('exit', () => resolve(output));
  });
}

const benchmark: Benchmark = {
  title: 'Status page GET / at 1,000 nodes × 5 replicas (gzip), beside bare node:http sending the same bytes',
  async run() {
    const output = await runScript();
    const figures = new Map<string, { rps: number; p50: string; p99: string }>();
    for (const line of output.split('\n')) {
      const match = LINE.exec(line);
      if (match?.[1])
        figures.set(match[1], { rps: Number(match[2]), p50: `${match[3]} ms`, p99: `${match[4]} ms` });
    }
    const vigil = figures.get('vigil-ts GET /');
    const bare = figures.get('bare node:http');
    if (!vigil || !bare) throw new Error(`bench/page.ts printed no figures:\n${output}`);
    const ratio = vigil.rps / bare.rps;
    return {
      rows: [
        {
          figure: 'req/s',
          vigil: vigil.rps.toLocaleString('en'),
          baseline: bare.rps.toLocaleString('en'),
          ratio: `${ratio.toFixed(2)}×`,
          target: '≥ 0.50× bare',
          verdict: judge(ratio, 0.5, 'higher'),
        },
        { figure: 'latency p50', vigil: vigil.p50, baseline: bare.p50, verdict: 'INFO' },
        { figure: 'latency p99', vigil: vigil.p99, baseline: bare.p99, verdict: 'INFO' },
      ],
      notes: output
        .split('\n')
        .filter((line) => line.startsWith('page at'))
        .map((line) => line.trim()),
    };
  },
};

export default benchmark;
