/** What every benchmark module default-exports; bench/run.ts only knows this shape. */
export interface Benchmark {
  title: string;
  run(): Promise<BenchReport>;
}

export type Verdict = 'PASS' | 'MISS' | 'INFO';

/** One figure, printed beside its baseline and target. */
export interface FigureRow {
  figure: string;
  vigil: string;
  baseline: string;
  /** Vigil ÷ baseline, when the two are comparable. */
  ratio?: string;
  target?: string;
  verdict: Verdict;
}

export interface BenchReport {
  rows: FigureRow[];
  /** Context a reader needs to trust the figures: setup, host limits, anomalies. */
  notes: string[];
}

/** PASS when `value` is on the right side of `limit`. */
export function judge(value: number, limit: number, better: 'higher' | 'lower'): Verdict {
  return (better === 'higher' ? value >= limit : value <= limit) ? 'PASS' : 'MISS';
}
