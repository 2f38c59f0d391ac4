import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { exited } from './cli.js';

/** A server process the test started; `stop` ends it and waits for it. */
export interface Daemon {
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 10_000;

/** Fails loudly, naming the Debian package, when a server binary the test needs is missing. */
export function requireBinary(path: string, aptPackage: string): void {
  if (!existsSync(path)) {
    throw new Error(
      `${path} not found: this test runs a real server; install it with \`apt-get install ${aptPackage}\``,
    );
  }
}

/** SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_MS. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const stopped = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await stopped;
  clearTimeout(timer);
}

export interface DaemonOptions {
  /** Output (stdout or stderr) that says the server is ready. */
  ready: RegExp;
  /** The server's temp folder, removed once it has stopped (or failed to start). */
  workDir: string;
  timeoutMs?: number;
}

/**
 * Spawns `command` and resolves once its output matches `ready`. Rejects, with the output so far,
 * if it exits first or is not ready within `timeoutMs`.
 */
export async function startDaemon(
  command: string,
  args: string[],
  { ready, workDir, timeoutMs = 30_000 }: DaemonOptions,
): Promise<Daemon> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = () => child.kill('SIGKILL');
  // If the test process dies first, never leave a server behind.
  process.once('exit', kill);
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${command} not ready within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (ready.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${command} exited (${signal ?? code}) before it was ready:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };

  async function stop(): Promise<void> {
    await terminate(child);
    process.removeListener('exit', kill);
    rmSync(workDir, { recursive: true, force: true });
  }
}
