import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const NODE_ARGS = ['--conditions=source', '--import', 'tsx', CLI];

/** Runs vigil-local from source to completion. */
export function runCli(args: string[]) {
  const result = spawnSync(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts vigil-local with `args`; its stdout is collected into `stdout()`. */
export function spawnCli(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [...NODE_ARGS, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  // 'close', not 'exit': it also waits for the last log lines still in the stdout pipe.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, closed, stdout: () => stdout };
}

/** The `msg` of each JSON log line; a line cut short fails to parse. */
export function messagesOf(stdout: string): string[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}
