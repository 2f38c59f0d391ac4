import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Runs the `vigil` CLI from source to completion. */
export function runCli(args: string[], options: { cwd?: string } = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI_PATH, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `vigil` serving in a child process; the caller stops it. */
export function spawnCli(
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    /** Node's own arguments, before the CLI's (a benchmark's preloaded hook). */
    nodeArgs?: string[];
    /** Opens an IPC channel to the child (`child.send`). */
    ipc?: boolean;
  } = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ...(options.nodeArgs ?? []), CLI_PATH, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Polls `url` until it answers 200, for at most `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Resolves with the exit code (or signal) once the child exits. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Starts `vigil` serving and resolves once `readyUrl` answers 200; if it does not within
 * `timeoutMs`, kills it and rejects with what it printed on stderr.
 */
export async function startServing(
  args: string[],
  readyUrl: string,
  timeoutMs = 30_000,
): Promise<ChildProcess> {
  const child = spawnCli(args);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  try {
    await waitForHttp(readyUrl, timeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`vigil did not start: ${stderr}`, { cause: error });
  }
  return child;
}
