/**
 * One `fping` run over many addresses: one echo request each, results reported per address as the
 * lines arrive. fping (≥ 5.0) opens one raw or unprivileged ICMP socket for the whole list, so a
 * thousand addresses cost one process instead of a thousand.
 */
import { spawn, spawnSync } from 'node:child_process';
import { builtinOnUse } from '../process/builtin-on-use.js';
import { formatSeconds } from './deadline.js';
import { describeError } from './errors.js';

/** Loaded by the first fping run: a fleet without ICMP replicas never loads `readline`. */
const readline = builtinOnUse<typeof import('node:readline')>('node:readline');

/** Where Debian's fping package installs it; set VIGIL_FPING_PATH on systems that put it elsewhere. */
export const DEFAULT_FPING_PATH = '/usr/bin/fping';
/** Extra time for fping to start, send and exit before it is killed as hung. */
const PROCESS_GRACE_MS = 1000;
/** fping sends to each address in turn; allow it this long per address on top of the reply wait. */
const SEND_ALLOWANCE_MS = 0.2;

/** A reply on stdout: `127.0.0.1   : [0], 64 bytes, 0.041 ms (0.041 avg, 0% loss)`. */
const REPLY = /^(\S+)\s+: \[\d+\], \d+ bytes, ([\d.]+) ms/;
/** A reply wait that ran out, on stdout since fping 5.0: `127.0.0.1 : [0], timed out (…)`. */
const TIMED_OUT = /^(\S+)\s+: \[\d+\], timed out/;
/** An ICMP error on stderr: `ICMP Host Unreachable from 10.0.0.1 for ICMP Echo sent to 10.0.0.5`. */
const ICMP_ERROR = /^(.+ from \S+) for ICMP Echo sent to (\S+)/;
/** A send that failed on stderr: `10.0.0.5: error while sending ping: Network is unreachable`. */
const SEND_ERROR = /^(\S+): error while sending ping: (.+)$/;
/** fping's per-address summary on stderr (`127.0.0.1 : xmt/rcv/%loss = 1/1/0%…`): not a failure. */
const SUMMARY = /^\S+\s+: xmt\/rcv/;

export interface FpingListener {
  reply(address: string, rttMs: number): void;
  /** The address gets no reply: a timeout, an ICMP error or a failed send, with the reason. */
  failed(address: string, reason: string): void;
}

export interface FpingRun {
  /** The fping binary. */
  path: string;
  /** Distinct numeric addresses, IPv4 and IPv6 mixed. */
  addresses: readonly string[];
  /** How long each address may take to answer (fping's `-t`). */
  waitMs: number;
  /** Kills fping: every caller of this run has gone. */
  signal: AbortSignal;
}

/**
 * The arguments of the start-up check: one echo to 127.0.0.1, which every Linux host answers, with
 * the `-i 0` the batches use (an fping built with --enable-safe-limits refuses it to non-root).
 */
export const SELF_TEST_ARGS = ['-c', '1', '-i', '0', '-t', '500', '127.0.0.1'];
/** The start-up check gives up on an fping that hangs after this long. */
const SELF_TEST_TIMEOUT_MS = 3000;
/** fping got as far as a result for 127.0.0.1 (a reply or a timeout): it can send. */
const SELF_TEST_RESULT = /^127\.0\.0\.1\s+: \[0\]/m;

/**
 * Whether fping at `path` can send pings here (it may lack cap_net_raw, refuse `-i 0`, or not be
 * installed): undefined when it can, else why not. Runs it once, synchronously, at start-up.
 */
export function fpingProblem(path: string): string | undefined {
  const result = spawnSync(path, SELF_TEST_ARGS, { encoding: 'utf8', timeout: SELF_TEST_TIMEOUT_MS });
  if (result.error) {
    const { code } = result.error as NodeJS.ErrnoException;
    return code === 'ENOENT' ? `no fping at ${path}` : `fping at ${path}: ${describeError(result.error)}`;
  }
  if (SELF_TEST_RESULT.test(result.stdout)) return undefined;
  const lastLine = ownMessage(result.stderr.trim().split('\n').at(-1) ?? '');
  return `fping at ${path} cannot ping: ${lastLine || `exit ${result.status ?? result.signal}`}`;
}

/** fping prefixes its own errors with the path it was started as: `/usr/bin/fping: can't…`. */
function ownMessage(line: string): string {
  return line.trim().replace(/^\S+: /, '');
}

/** The reason an address got no reply in time. */
export function noReplyReason(address: string, waitMs: number): string {
  return `no reply from ${address} within ${formatSeconds(waitMs)}`;
}

/**
 * Runs fping once over `addresses` and reports each result to `listener` as its line arrives.
 * Resolves when fping has exited, with the reason the whole run failed (fping missing, refused to
 * start, killed) or undefined; addresses reported neither way by then got no reply.
 */
export function runFping(run: FpingRun, listener: FpingListener): Promise<string | undefined> {
  const { path, addresses, waitMs, signal } = run;
  // -c 1: one echo each, a line per result as it comes; -i 0: no pause between sends (each address
  // gets a single packet, so nothing is flooded); -t: the reply wait, per address.
  const args = ['-c', '1', '-i', '0', '-t', String(Math.max(1, Math.round(waitMs))), ...addresses];
  return new Promise((resolve) => {
    const child = spawn(path, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
      killSignal: 'SIGKILL',
      timeout: Math.ceil(waitMs + PROCESS_GRACE_MS + addresses.length * SEND_ALLOWANCE_MS),
    });
    let lastError: string | undefined;
    let spawnError: string | undefined;
    const { createInterface } = readline();
    createInterface({ input: child.stdout }).on('line', (line) => {
      const reply = REPLY.exec(line);
      if (reply?.[1] !== undefined) return listener.reply(reply[1], Number(reply[2]));
      const timedOut = TIMED_OUT.exec(line)?.[1];
      if (timedOut !== undefined) listener.failed(timedOut, noReplyReason(timedOut, waitMs));
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      const icmpError = ICMP_ERROR.exec(line);
      if (icmpError?.[1] !== undefined && icmpError[2] !== undefined) {
        return listener.failed(icmpError[2], icmpError[1]);
      }
      const sendError = SEND_ERROR.exec(line);
      if (sendError?.[1] !== undefined) return listener.failed(sendError[1], `ping failed: ${sendError[2]}`);
      if (line.trim() !== '' && !SUMMARY.test(line)) lastError = ownMessage(line);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Aborted on purpose: nobody waits for the outcome.
      if (signal.aborted) return;
      spawnError =
        error.code === 'ENOENT'
          ? `fping not installed at ${path} (or set VIGIL_FPING_PATH)`
          : describeError(error);
    });
    child.on('close', (code, killedBy) => {
      if (spawnError !== undefined) resolve(spawnError);
      // Killed: by the timeout (the replies still missing never came) or because nobody waits.
      else if (killedBy !== null) resolve(undefined);
      // 0: all answered; 1: some did not. 2 and above: fping could not do its job (bad address,
      // no socket: "can't create socket (must run as root?)").
      else if (code !== null && code >= 2) resolve(`fping failed: ${lastError ?? `exit ${code}`}`);
      else resolve(undefined);
    });
  });
}
