import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Deadline } from './deadline.js';
import { describeError } from './errors.js';
import type { Probe, ProbeKind, ProbeResult } from './types.js';

/** A script replica: `sh` runs its source; the node's `scripts` list them, not URLs. */
export interface ScriptTarget {
  kind: 'script';
  source: string;
  /** Kills the script's whole process group after this long; absent means no limit, as in Vigil. */
  timeoutMs?: number;
}

/** How much of the end of stderr is kept for the reason. */
const STDERR_TAIL_BYTES = 500;
/** After the script exits, how long its output pipes may take to close (a background child can hold them). */
const PIPE_GRACE_MS = 100;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function describeTail(tail: Buffer): string {
  // The cut may split a UTF-8 character: drop the broken start, fold lines into one.
  return tail
    .toString('utf8')
    .replace(/^\uFFFD+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Runs `shell file` in its own process group; the deadline kills the whole group. */
function run(shell: string, file: string, deadline: Deadline): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, [file], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout also kills what the script started (`sleep`, pipelines…).
      detached: true,
    });
    let stderr = Buffer.alloc(0);
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]).subarray(-STDERR_TAIL_BYTES);
    });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const stopWatching = deadline.onAbort(killGroup);
    child.once('error', (error) => {
      stopWatching();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      stopWatching();
      const closed = once(child, 'close').catch(() => undefined);
      void Promise.race([closed, delay(PIPE_GRACE_MS, undefined, { ref: false })]).then(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, signal, stderr: describeTail(stderr) });
      });
    });
  });
}

/** Vigil's exit-code mapping (spec §4.4): 0 healthy, 1 sick, anything else dead. */
function judge(exit: Exit, deadline: Deadline): ProbeResult {
  if (exit.code === 0) return deadline.healthy();
  const status = exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`;
  const reason = exit.stderr ? `${status}: ${exit.stderr}` : status;
  if (exit.code === 1) return { health: 'sick', latencyMs: deadline.elapsedMs(), reason };
  return deadline.dead(reason);
}

export interface ScriptProbeOptions {
  /** The interpreter, `sh` from PATH by default as in Vigil. */
  shell?: string;
}

/**
 * Script replicas: the trimmed script is written to a private temporary file and run as
 * `sh <file>` from the current directory with the inherited environment. Unlike Vigil, a
 * `timeoutMs` on the target bounds it. Latency is the run time.
 */
export function createScriptProbe({ shell = 'sh' }: ScriptProbeOptions = {}): Probe<ScriptTarget> {
  return {
    kind: 'script',
    async check(target, context) {
      const deadline = new Deadline(target.timeoutMs, context.signal);
      let dir: string | undefined;
      try {
        dir = await mkdtemp(join(tmpdir(), 'vigil-script-'));
        const file = join(dir, 'script.sh');
        await writeFile(file, `${target.source.trim()}\n`, { mode: 0o600 });
        return judge(await run(shell, file, deadline), deadline);
      } catch (error) {
        return deadline.dead(`cannot run script: ${describeError(error)}`);
      } finally {
        deadline.dispose();
        if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  };
}

export const scriptProbe: ProbeKind<ScriptTarget, never> = createScriptProbe();
