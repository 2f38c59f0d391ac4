import { createRequire } from 'node:module';

/** The slice of autocannon 9's programmatic API the benchmarks use (it ships no types). */
export interface LoadOptions {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /**
   * Bodies spread over the connections (connection k sends bodies k, k + connections, …, in turn),
   * so every body is sent early and often. Each is prebuilt once, so rotating costs the client nothing.
   */
  bodies: readonly string[];
}

export interface LoadResult {
  /** The measured window, warm-up excluded. */
  durationSeconds: number;
  /** Responses with a 2xx status. */
  ok: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface RawResult {
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number };
}

type Autocannon = (options: Record<string, unknown>) => Promise<RawResult>;

/** autocannon's per-connection client, as setupClient receives it. */
interface Client {
  setRequests(requests: { body: string }[]): void;
}

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Runs autocannon in this process and keeps the figures the report prints. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { bodies, connections } = options;
  let clients = 0;
  const raw = await autocannon({
    url: options.url,
    method: options.method,
    headers: options.headers,
    connections,
    duration: options.durationSeconds,
    body: bodies[0],
    setupClient: (client: Client) => {
      const slot = clients++ % connections;
      const own = bodies.filter((_, index) => index % connections === slot);
      client.setRequests((own.length > 0 ? own : bodies).map((body) => ({ body })));
    },
  });
  return {
    durationSeconds: raw.duration,
    ok: raw['2xx'],
    p50Ms: raw.latency.p50,
    p99Ms: raw.latency.p99,
    non2xx: raw.non2xx,
    errors: raw.errors,
    timeouts: raw.timeouts,
  };
}

/**
 * Several slices of one server's run as one: counts add up; latency percentiles cannot be merged
 * from percentiles, so the worst slice's stands (the conservative reading).
 */
export function combineLoads(slices: readonly LoadResult[]): LoadResult {
  const sum = (pick: (slice: LoadResult) => number) =>
    slices.reduce((total, slice) => total + pick(slice), 0);
  const worst = (pick: (slice: LoadResult) => number) => Math.max(...slices.map(pick));
  return {
    durationSeconds: sum((slice) => slice.durationSeconds),
    ok: sum((slice) => slice.ok),
    p50Ms: worst((slice) => slice.p50Ms),
    p99Ms: worst((slice) => slice.p99Ms),
    non2xx: sum((slice) => slice.non2xx),
    errors: sum((slice) => slice.errors),
    timeouts: sum((slice) => slice.timeouts),
  };
}

export const okPerSecond = (load: LoadResult): number => load.ok / load.durationSeconds;
