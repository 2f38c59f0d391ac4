/**
 * icmp://host: pings every address the host resolves to (spec §4.3).
 *
 * Rather than opening raw sockets itself (which needs root or CAP_NET_RAW on node), the probe runs
 * a system tool that carries the cap_net_raw file capability (or uses unprivileged ICMP sockets,
 * net.ipv4.ping_group_range), so a non-root Vigil TS needs nothing more: no setcap on node, no root.
 * With `fping` installed, checks share fping runs (icmp-batch.ts); without it, every check runs
 * iputils `ping` once per address. VIGIL_FPING_PATH and VIGIL_PING_PATH point elsewhere.
 */
import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { Deadline } from './deadline.js';
import { describeError, ProbeFailure } from './errors.js';
import { DEFAULT_FPING_PATH, fpingProblem, noReplyReason } from './fping.js';
import { createFpingBatcher, MAX_BATCH_ADDRESSES, type Pinger } from './icmp-batch.js';
import type { Probe, ProbeKind } from './types.js';
import { bareHostUrl } from './url-parts.js';

/** icmp://HOST: every address HOST resolves to answers an echo request. */
export interface IcmpTarget {
  kind: 'icmp';
  host: string;
}

/** Where iputils installs ping; set VIGIL_PING_PATH on systems that put it elsewhere. */
export const DEFAULT_PING_PATH = '/usr/bin/ping';
/** Vigil waits at most one second for each echo reply. */
const MAX_REPLY_WAIT_MS = 1000;
/** Extra time for ping to start and exit before it is killed as hung. */
const PROCESS_GRACE_MS = 1000;

/** The RTT ping prints in its reply line: `time=0.059 ms`. */
const RTT = /time[=<]([\d.]+) ?ms/;

/** One `ping` process per echo request. */
const pingProcess: Pinger = (address, family, waitMs, signal) => {
  const pingPath = process.env.VIGIL_PING_PATH || DEFAULT_PING_PATH;
  // -n: no reverse DNS; -W: reply wait in seconds (fractions accepted by iputils ≥ 2019).
  const args = [family === 6 ? '-6' : '-4', '-n', '-c', '1', '-W', String(waitMs / 1000), address];
  const noReply = noReplyReason(address, waitMs);
  return new Promise((resolve, reject) => {
    const options = { timeout: waitMs + PROCESS_GRACE_MS, killSignal: 'SIGKILL' as const, signal };
    const child = execFile(pingPath, args, options, (error, stdout, stderr) => {
      // Killed at the deadline just as it exited 0: Node then reports success with the output
      // already discarded. It did not answer in time.
      if (!error && child.killed) reject(new ProbeFailure(noReply));
      else if (!error) {
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
};

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

/** How ICMP checks send their echo requests. */
export interface IcmpMethod {
  ping: Pinger;
  /** Ping all addresses of a host at once (batched) rather than one after the other (as Vigil). */
  concurrent: boolean;
  /** For the start-up log: which tool, and how many checks share a process. */
  description: string;
}

/** Vigil's way, one `ping` process per address, as a method. */
export const PING_PER_CHECK: IcmpMethod = {
  ping: pingProcess,
  concurrent: false,
  description: 'ICMP checks run one ping process per address (VIGIL_PING_PATH or /usr/bin/ping)',
};

/**
 * fping batches when it is installed (VIGIL_FPING_PATH, else /usr/bin/fping) and can ping (checked
 * once with one echo to 127.0.0.1); otherwise one ping process per check. Decided once, when the
 * probers are built.
 */
export function chooseIcmpMethod(env: NodeJS.ProcessEnv = process.env): IcmpMethod {
  const fpingPath = env.VIGIL_FPING_PATH || DEFAULT_FPING_PATH;
  const problem = fpingProblem(fpingPath);
  if (problem !== undefined)
    return { ...PING_PER_CHECK, description: `${PING_PER_CHECK.description}: ${problem}` };
  return {
    ping: createFpingBatcher(fpingPath),
    concurrent: true,
    description: `ICMP checks are batched through ${fpingPath}, up to ${MAX_BATCH_ADDRESSES} addresses per process`,
  };
}

/** Pings every address; the slowest RTT, or the first failure in address order. */
async function pingAll(
  method: IcmpMethod,
  addresses: readonly { address: string; family: number }[],
  waitMs: number,
  signal: AbortSignal,
): Promise<number> {
  if (method.concurrent) {
    const outcomes = await Promise.allSettled(
      addresses.map(({ address, family }) => method.ping(address, family, waitMs, signal)),
    );
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return Math.max(0, ...outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : 0)));
  }
  let slowestMs = 0;
  for (const { address, family } of addresses) {
    // One after the other, as Vigil: a name with many addresses starts one ping at a time.
    slowestMs = Math.max(slowestMs, await method.ping(address, family, waitMs, signal));
  }
  return slowestMs;
}

/** The ICMP probe over `method`. */
export function createIcmpProbe(method: IcmpMethod): Probe<IcmpTarget> {
  return {
    kind: 'icmp',
    async check(target, context) {
      // No overall time limit: like Vigil, each echo has its own reply wait.
      const deadline = new Deadline(undefined, context.signal);
      try {
        const addresses = await lookupAll(target.host, context.timeoutMs, context.signal);
        const waitMs = Math.min(MAX_REPLY_WAIT_MS, context.timeoutMs);
        const slowestMs = await pingAll(method, addresses, waitMs, context.signal);
        // Latency is the slowest RTT, not the wall time of the whole check (spec §4.3).
        return { health: 'healthy', latencyMs: Math.floor(slowestMs) };
      } catch (error) {
        return deadline.dead(describeError(error));
      } finally {
        deadline.dispose();
      }
    },
  };
}

/** The stateless ICMP probe: one ping process per address, nothing shared between checks. */
export const icmpProbe: ProbeKind<IcmpTarget> = {
  ...createIcmpProbe(PING_PER_CHECK),
  url: {
    schemes: ['icmp'],
    grammar: 'icmp://HOST',
    parse(url, context) {
      const bare = bareHostUrl('icmp', url, context);
      if (bare.ok && url.port)
        return { ok: false, error: `"${context.shown}" must not have a port: ICMP has none` };
      return bare;
    },
  },
};
