import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** What a push report carries: ratios where 1.0 means fully used. */
export interface SystemLoad {
  /** 1-minute load average per CPU core; above 1 when overloaded, always 0 on Windows. */
  cpu: number;
  /** Share of the host's memory in use: 1 - available/total. */
  ram: number;
}

/**
 * The host's load now. node-vigil-reporter 1.4 sent the V8 heap ratio of the process as `ram`; this
 * is the host's memory, as Vigil documents. On Linux, os.freemem() is MemAvailable (page cache
 * that can be reclaimed counts as free), so `ram` matches what `free` shows as used.
 */
export function readSystemLoad(): SystemLoad {
  const cores = cpus().length || 1;
  return { cpu: (loadavg()[0] ?? 0) / cores, ram: 1 - freemem() / totalmem() };
}
