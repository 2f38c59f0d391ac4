import { type ChildProcess, spawn } from 'node:child_process';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extraNodeArgs } from './env.js';
import type { ChildApi, ParamsOf, ResultOf, ToChild, ToParent } from './rpc.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 3_000;

/** Every child still running, so the run can kill them all whatever happens. */
const live = new Set<ChildProcess>();

export interface Child<Api extends ChildApi, Ready> {
  readonly ready: Ready;
  readonly pid: number;
  call<K extends keyof Api & string>(
    method: K,
    params: ParamsOf<Api, K>,
    timeoutMs?: number,
  ): Promise<ResultOf<Api, K>>;
  stop(): Promise<void>;
}

export interface ChildOptions {
  args?: string[];
  /** Node flags before `--import tsx`, e.g. `--expose-gc`. */
  nodeArgs?: string[];
}

/**
 * Starts `node --import tsx <script>` in its own process, so its CPU and memory are its own,
 * and resolves once it has announced itself ready.
 */
export async function startChild<Api extends ChildApi, Ready>(
  script: URL,
  options: ChildOptions = {},
): Promise<Child<Api, Ready>> {
  const name = basename(fileURLToPath(script));
  const process_ = spawn(
    process.execPath,
    [
      ...extraNodeArgs(),
      ...(options.nodeArgs ?? []),
      '--import',
      'tsx',
      fileURLToPath(script),
      ...(options.args ?? []),
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  live.add(process_);

  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exitError: Error | undefined;
  let onReady: ((value: unknown) => void) | undefined;
  let onReadyFailed: ((error: Error) => void) | undefined;

  const exited = new Promise<void>((resolve) => {
    process_.once('exit', (code, signal) => {
      live.delete(process_);
      exitError = new Error(`${name} exited (${signal ?? `code ${code}`})`);
      for (const call of pending.values()) call.reject(exitError);
      pending.clear();
      onReadyFailed?.(exitError);
      resolve();
    });
  });
  process_.on('error', (error) => onReadyFailed?.(error));
  process_.on('message', (message: ToParent) => {
    if (message.kind === 'ready') return onReady?.(message.value);
    const call = pending.get(message.id);
    pending.delete(message.id);
    if ('error' in message) call?.reject(new Error(`${name}: ${message.error}`));
    else call?.resolve(message.value);
  });

  let ready: Ready;
  try {
    ready = (await withTimeout(
      new Promise<unknown>((resolve, reject) => {
        onReady = resolve;
        onReadyFailed = reject;
      }),
      READY_TIMEOUT_MS,
      `${name} did not start`,
    )) as Ready;
  } catch (error) {
    process_.kill('SIGKILL');
    throw error;
  }

  let nextId = 0;
  return {
    ready,
    pid: process_.pid ?? -1,
    call(method, params, timeoutMs = 60_000) {
      if (exitError) return Promise.reject(exitError);
      const id = nextId++;
      const reply = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
      const message: ToChild = { kind: 'call', id, method, params };
      process_.send(message);
      return withTimeout(reply, timeoutMs, `${name}.${method} took longer than ${timeoutMs} ms`).finally(() =>
        pending.delete(id),
      ) as Promise<ResultOf<Api, typeof method>>;
    },
    async stop() {
      if (process_.exitCode !== null || process_.signalCode !== null) return;
      process_.kill('SIGTERM');
      const timer = setTimeout(() => process_.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Ends every child still running: on the normal path, after an error, and on Ctrl-C. */
export function killAllChildren(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Starts a child, hands it to `use`, and stops it whatever `use` does. */
export async function withChild<Api extends ChildApi, Ready, T>(
  script: URL,
  options: ChildOptions,
  use: (child: Child<Api, Ready>) => Promise<T>,
): Promise<T> {
  const child = await startChild<Api, Ready>(script, options);
  try {
    return await use(child);
  } finally {
    await child.stop();
  }
}
