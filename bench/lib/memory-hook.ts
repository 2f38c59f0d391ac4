import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Preloaded into a `vigil` process under test (`--expose-gc --require MEMORY_HOOK`, with an IPC
 * channel): answers `askMemory` with the process's memory after full collections,
 * `askLoopDelay` with its main thread's event-loop delay, and writes heap snapshots.
 */
const MEMORY_HOOK = fileURLToPath(new URL('../children/memory-hook.cjs', import.meta.url));

/** The node arguments that preload the hook. */
export const MEMORY_HOOK_ARGS = ['--expose-gc', '--require', MEMORY_HOOK];

export interface Memory {
  rss: number;
  /** The main thread's live heap, after two full collections. */
  heapUsed: number;
  /** The main thread's ArrayBuffers (typed arrays, Buffers): outside its heap, inside the RSS. */
  arrayBuffers: number;
}

/** Sends `type` to the hook and resolves with its answer of the same type. */
export function askHook<T>(child: ChildProcess, type: string, fields: object = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the process did not answer "${type}"`)), 60_000);
    child.on('message', function onMessage(message: { type?: string }) {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message as T);
    });
    child.send({ type, ...fields });
  });
}

/** The process's memory, as the preloaded hook reports it. */
export async function askMemory(child: ChildProcess): Promise<Memory> {
  const { rss, heapUsed, arrayBuffers } = await askHook<Memory>(child, 'memory');
  return { rss, heapUsed, arrayBuffers };
}

export interface LoopDelay {
  /** The main thread's longest event-loop stall since the last ask. */
  maxMs: number;
  p99Ms: number;
}

/** The main thread's event-loop delay since the last ask (or the start), as the hook measures it. */
export async function askLoopDelay(child: ChildProcess): Promise<LoopDelay> {
  const { maxMs, p99Ms } = await askHook<LoopDelay>(child, 'loop-delay');
  return { maxMs, p99Ms };
}

/** Has the process write a heap snapshot to `path` (slow: seconds per 100 MB of heap). */
export async function askHeapSnapshot(child: ChildProcess, path: string): Promise<string> {
  return (await askHook<{ path: string }>(child, 'heap-snapshot', { path })).path;
}
