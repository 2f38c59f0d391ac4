import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLI_PATH,
  exited,
  freePort,
  REPO_ROOT,
  waitForHttp,
} from '../../packages/server/test/helpers/cli.js';
import { extraNodeArgs } from './env.js';

/** A real `vigil` process serving a config, with everything it starts: store, history, page, alerts. */
export interface VigilBinary {
  readonly pid: number;
  readonly port: number;
  readonly folder: string;
  /** The last 20,000 characters it printed, for error messages. */
  output(): string;
  /** SIGTERM, its graceful stop (the store's last flush included), then SIGKILL past `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/** The built binary, as users run it (`npm run build` makes it). */
export const BUILT_BINARY = join(REPO_ROOT, 'packages/server/bin/vigil.js');

/**
 * Builds `BUILT_BINARY` as `npm run build` does: dist/ (incremental: a no-op when current), then
 * its bundle, which the binary runs. Throws with the tools' output if a step fails.
 */
export function buildBinary(): void {
  const steps = [
    [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/server'],
    [join(REPO_ROOT, 'packages/server/scripts/bundle.mjs')],
  ];
  for (const step of steps) {
    const build = spawnSync(process.execPath, step, { cwd: REPO_ROOT, encoding: 'utf8' });
    if (build.status !== 0)
      throw new Error(`build failed (${step[0]} exit ${build.status}): ${build.stdout}${build.stderr}`);
  }
}

/**
 * Starts the `vigil` CLI from source (`node --import tsx packages/server/src/cli.ts -c FILE`, as the
 * tests and the cluster benchmark run it; `BENCH_NODE_ARGS` applies) on a free loopback port, with
 * `config(port, folder)` written to a temp folder it may also keep its SQLite file in, and resolves
 * once `readyPath` answers 200. The folder is removed when it stops.
 */
export async function startVigilBinary(
  config: (inet: string, folder: string) => string,
  readyPath = '/status/text',
): Promise<VigilBinary> {
  const folder = mkdtempSync(join(tmpdir(), 'vigil-bench-binary-'));
  const port = await freePort();
  const configPath = join(folder, 'vigil.cfg');
  writeFileSync(configPath, config(`127.0.0.1:${port}`, folder));
  const child: ChildProcess = spawn(
    process.execPath,
    [...extraNodeArgs(), '--import', 'tsx', CLI_PATH, '-c', configPath],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // run.ts exits on Ctrl-C without unwinding: the server must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let printed = '';
  const keep = (chunk: Buffer) => {
    printed = `${printed}${chunk.toString()}`.slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const stop = async (graceMs = 10_000) => {
    const done = exited(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await done;
    clearTimeout(timer);
    process.removeListener('exit', killOnExit);
    rmSync(folder, { recursive: true, force: true });
  };

  try {
    await waitForHttp(`http://127.0.0.1:${port}${readyPath}`, READY_TIMEOUT_MS);
  } catch (error) {
    await stop(0);
    throw new Error(`vigil did not start:\n${printed}`, { cause: error });
  }
  return { pid: child.pid ?? -1, port, folder, output: () => printed, stop };
}
