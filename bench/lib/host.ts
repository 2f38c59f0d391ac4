import { readdirSync, readFileSync } from 'node:fs';

/** Reads a /proc file, or undefined off Linux; the benchmarks only report these, never change them. */
function proc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Sockets in TIME_WAIT (state 06) in this network namespace, IPv4 and IPv6. */
export function timeWaitSockets(): number | undefined {
  const tables = [proc('/proc/net/tcp'), proc('/proc/net/tcp6')].filter((table) => table !== undefined);
  if (tables.length === 0) return undefined;
  return tables.reduce(
    (total, table) => total + table.split('\n').filter((line) => line.trim().split(/\s+/)[3] === '06').length,
    0,
  );
}

/**
 * The limits that cap thousands of short loopback connections: ephemeral ports held in TIME_WAIT,
 * whether the kernel may reuse them, and the file-descriptor limit.
 */
export function connectionLimits(): string {
  const range = proc('/proc/sys/net/ipv4/ip_local_port_range')?.split(/\s+/).map(Number);
  const ports =
    range && range.length === 2
      ? `${range[0]}–${range[1]} (${(range[1] ?? 0) - (range[0] ?? 0) + 1} ports)`
      : 'unknown';
  const reuse = proc('/proc/sys/net/ipv4/tcp_tw_reuse');
  const reuseText = reuse === undefined ? 'unknown' : `${reuse}${reuse === '2' ? ' (loopback only)' : ''}`;
  const files = proc('/proc/self/limits')?.match(/Max open files\s+(\S+)/)?.[1] ?? 'unknown';
  return `ephemeral ports ${ports}, tcp_tw_reuse ${reuseText}, open files ${files}, TIME_WAIT now ${timeWaitSockets() ?? 'unknown'}`;
}

/** Linux reports process CPU in clock ticks of 1/100 s (USER_HZ). */
const TICK_MS = 10;

/** CPU time (user + system, all threads) another process has used so far, in ms, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number | undefined {
  const stat = proc(`/proc/${pid}/stat`);
  return stat === undefined ? undefined : cpuOfStat(stat);
}

/** utime + stime of a /proc `stat` line, in ms. */
function cpuOfStat(stat: string): number {
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Resident memory of another process in bytes, from /proc/<pid>/status (VmRSS). */
export function processRssBytes(pid: number): number | undefined {
  const kilobytes = proc(`/proc/${pid}/status`)?.match(/VmRSS:\s+(\d+) kB/)?.[1];
  return kilobytes === undefined ? undefined : Number(kilobytes) * 1024;
}

/** CPU time (user + system) of each thread of another process so far, in ms, by thread id. */
export function threadCpuMs(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  let ids: string[];
  try {
    ids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const id of ids) {
    const stat = proc(`/proc/${pid}/task/${id}/stat`);
    if (stat !== undefined) threads.set(Number(id), cpuOfStat(stat));
  }
  return threads;
}
