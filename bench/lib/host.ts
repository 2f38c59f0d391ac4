import { readFileSync } from 'node:fs';

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
