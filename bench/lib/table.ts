import type { FigureRow } from './benchmark.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 12,345 */
export const count = (value: number): string => integer.format(value);

export const ms = (value: number): string => `${value < 10 ? value.toFixed(2) : integer.format(value)} ms`;

export const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export const ratio = (vigil: number, baseline: number): string =>
  baseline > 0 ? `${(vigil / baseline).toFixed(2)}×` : 'n/a';

const COLUMNS: { title: string; cell: (row: FigureRow) => string }[] = [
  { title: 'figure', cell: (row) => row.figure },
  { title: 'Vigil TS', cell: (row) => row.vigil },
  { title: 'baseline', cell: (row) => row.baseline },
  { title: 'ratio', cell: (row) => row.ratio ?? '' },
  { title: 'target', cell: (row) => row.target ?? '' },
  { title: '', cell: (row) => (row.verdict === 'INFO' ? '' : row.verdict) },
];

/** A plain-text table that reads the same in a terminal and in a CI log. */
export function formatTable(rows: readonly FigureRow[]): string {
  const cells = [
    COLUMNS.map((column) => column.title),
    ...rows.map((row) => COLUMNS.map((c) => c.cell(row))),
  ];
  const widths = COLUMNS.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  const render = (line: string[]) =>
    line
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const [header = [], ...body] = cells;
  return [render(header), rule, ...body.map(render)].join('\n');
}
