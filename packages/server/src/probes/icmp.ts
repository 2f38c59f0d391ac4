/**
 * icmp://host: pings every address the host resolves to, one after the other (spec §4.3).
 *
 * Rather than opening raw sockets itself (which needs root or CAP_NET_RAW on node), the probe runs
 * the system `ping` from iputils. That binary carries the cap_net_raw file capability (or uses
 * unprivileged ICMP sockets, net.ipv4.ping_group_range), so a non-root Vigil TS needs nothing more:
 * no setcap on node, no root. Elsewhere, point VIGIL_PING_PATH at a compatible ping.
 */
import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { Deadline, formatSeconds } from './deadline.js';
import { describeError, ProbeFailure } from './errors.js';
import type { Probe, TargetOf } from './types.js';

/** Where iputils installs ping; set VIGIL_PING_PATH on systems that put it elsewhere. */
export const DEFAULT_PING_PATH = '/usr/bin/ping';
/** Vigil waits at most one second for each echo reply. */
const MAX_REPLY_WAIT_MS = 1000;
/** Extra time for ping to start and exit before it is killed as hung. */
const PROCESS_GRACE_MS = 1000;

/** The RTT ping prints in its reply line: `time=0.059 ms`. */
const RTT = /time[=<]([\d.]+) ?ms/;

/** One echo request to one address; resolves with the RTT in ms, rejects with the reason. */
function ping(address: string, family: number, waitMs: number, signal: AbortSignal): Promise<number> {
  const pingPath = process.env.VIGIL_PING_PATH || DEFAULT_PING_PATH;
  // -n: no reverse DNS; -W: reply wait in seconds (fractions accepted by iputils ≥ 2019).
  const args = [family === 6 ? '-6' : '-4', '-n', '-c', '1', '-W', String(waitMs / 1000), address];
  const noReply = `no reply from ${address} within ${formatSeconds(waitMs)}`;
  return new Promise((resolve, reject) => {
    const options = { timeout: waitMs + PROCESS_GRACE_MS, killSignal: 'SIGKILL' as const, signal };
    execFile(pingPath, args, options, (error, stdout, stderr) => {
      if (!error) {
        const rtt = RTT.exec(stdout)?.[1];
        if (rtt !== undefined) resolve(Number(rtt));
        else reject(new ProbeFailure(`unexpected ping output for ${address}`));
      } else if (error.code === 'ENOENT') {
        reject(new ProbeFailure('ping not installed: install iputils-ping (or set VIGIL_PING_PATH)'));
      } else if (error.code === 1 || error.killed) {
        // iputils exits 1 when no reply came back in time.
        reject(new ProbeFailure(noReply));
      } else {
        const detail = stderr.trim().split('\n').at(-1) || describeError(error);
        reject(new ProbeFailure(`ping ${address} failed: ${detail}`));
      }
    });
  });
}

/** Every address of `host`; only the lookup is bounded by the attempt timeout. */
async function lookupAll(host: string, timeoutMs: number, signal: AbortSignal) {
  const resolving = new Deadline(timeoutMs, signal);
  try {
    const addresses = await resolving.race(lookup(host, { all: true }));
    if (addresses.length === 0) throw new ProbeFailure(`no address for ${host}`);
    return addresses;
  } finally {
    resolving.dispose();
  }
}

export const icmpProbe: Probe<TargetOf<'icmp'>> = {
  kind: 'icmp',
  async check(target, context) {
    // No overall time limit: like Vigil, each ping has its own, so N addresses may take N seconds.
    const deadline = new Deadline(undefined, context.signal);
    let slowestMs = 0;
    try {
      const addresses = await lookupAll(target.host, context.timeoutMs, context.signal);
      const waitMs = Math.min(MAX_REPLY_WAIT_MS, context.timeoutMs);
      for (const { address, family } of addresses) {
        // One after the other, as Vigil: a name with many addresses starts one ping at a time.
        slowestMs = Math.max(slowestMs, await ping(address, family, waitMs, context.signal));
      }
      // Latency is the slowest RTT, not the wall time of the whole check (spec §4.3).
      return { health: 'healthy', latencyMs: Math.floor(slowestMs) };
    } catch (error) {
      return deadline.dead(describeError(error));
    } finally {
      deadline.dispose();
    }
  },
};
