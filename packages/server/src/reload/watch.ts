import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Clock, TimerHandle } from '../time/clock.js';

/** Editors write a file in several steps (truncate, write, rename): one reload once they are done. */
export const WATCH_DEBOUNCE_MS = 500;

/**
 * Calls `onChange` once the config file has stayed unchanged for `debounceMs` after a change. The
 * folder is watched, not the file, so a file replaced by a rename (as most editors save) is still
 * followed. Returns a function that stops watching.
 */
export function watchConfigFile(
  path: string,
  onChange: () => void,
  options: { clock: Clock; debounceMs?: number; onError: (error: Error) => void },
): () => void {
  const { clock, debounceMs = WATCH_DEBOUNCE_MS } = options;
  const name = basename(path);
  let timer: TimerHandle | undefined;
  const watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
    if (changed !== name) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = clock.setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
  });
  watcher.on('error', options.onError);
  return () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    watcher.close();
  };
}
