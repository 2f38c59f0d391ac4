// Preloaded into the `vigil` binary under test (`node --expose-gc --require <this> …`). `--require`,
// unlike `--import`, also runs in each worker thread, so every isolate of the process is reached:
// the benchmark's `memory` message (over the IPC channel) makes each worker thread (the prober
// thread) run two full GCs and tell its heap, then the main thread does the same, gives glibc's
// free pages back as Vigil's idle shrinker does, and answers with the process's memory. The cluster benchmark's `loop-delay` message is answered with the main
// thread's event-loop delay since the last one, and `heap-snapshot` writes one to the path given.
// It reads and changes nothing of Vigil's (a worker thread's `gc()` is
// fetched as Vigil fetches its own, below). Plain CommonJS, so the built binary runs without a
// TypeScript loader.
const { readFileSync } = require('node:fs');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const {
  getHeapSpaceStatistics,
  getHeapStatistics,
  setFlagsFromString,
  writeHeapSnapshot,
} = require('node:v8');
const { runInNewContext } = require('node:vm');
const { BroadcastChannel, isMainThread } = require('node:worker_threads');

const CHANNEL = 'vigil-bench-memory-hook';
/** How long the main thread waits for the worker threads' answers. */
const WORKERS_ANSWER_MS = 1000;
/** How long after the main thread's collections the memory is read. */
const PAGES_RELEASED_MS = 1000;

/**
 * V8's `gc()` in this thread. A worker thread made after Vigil fetched its own `gc()` (it sets and
 * clears `--expose-gc` at start, `process/idle-heap.ts`) has none in its context despite the command
 * line's flag, so it is fetched the same way, leaving the flag cleared as Vigil left it.
 */
function fullCollection() {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  setFlagsFromString('--no-expose-gc');
  return gc;
}

/** The isolate's heap after two full GCs: used, committed, and committed by the young generation. */
function collectedHeap() {
  const gc = fullCollection();
  gc();
  gc();
  const { used_heap_size: used, total_heap_size: committed } = getHeapStatistics();
  const young = getHeapSpaceStatistics()
    .filter((space) => space.space_name.startsWith('new_'))
    .reduce((sum, space) => sum + space.space_size, 0);
  return { used, committed, young };
}

/**
 * What Vigil's idle shrinker does after its collections (`process/malloc-trim.ts`): glibc's free
 * pages given back. Done before every reading, so that whether a process's own shrinker happened
 * to trim during a pause does not decide its figure.
 */
function trimFreedMemory() {
  const connection = new (require('better-sqlite3'))(':memory:');
  try {
    connection.loadExtension('libc.so.6', 'malloc_trim');
  } catch {
    // malloc_trim's 1 (pages given back) reads as an error; elsewhere there is no glibc.
  } finally {
    connection.close();
  }
}

/** glibc's thread arenas are mapped at 64 MB boundaries (HEAP_MAX_SIZE on 64-bit). */
const ARENA_ALIGNMENT = 64 * 1024 * 1024;

/**
 * Resident anonymous and file-backed memory (kB in /proc), in bytes, and the part of the anonymous
 * memory in glibc's malloc arenas: the main one (`[heap]`) and the threads' (64 MB-aligned).
 */
function residentSplit() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  let mallocArenas = 0;
  let inArena = false;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const [, start = '0', name = ''] = mapping;
      inArena = name === '[heap]' || (name === '' && Number.parseInt(start, 16) % ARENA_ALIGNMENT === 0);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && inArena) mallocArenas += Number(rss[1]) * 1024;
  }
  return { rssAnon: field('RssAnon'), rssFile: field('RssFile'), mallocArenas };
}

if (isMainThread) {
  // The main thread's event-loop delay since the last `loop-delay` message: its longest stall.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.on('message', (message) => {
    if (message?.type === 'loop-delay') {
      const toMs = (nanoseconds) => nanoseconds / 1e6;
      process.send?.({ type: 'loop-delay', maxMs: toMs(delay.max), p99Ms: toMs(delay.percentile(99)) });
      delay.reset();
      return;
    }
    if (message?.type === 'heap-snapshot') {
      process.send?.({ type: 'heap-snapshot', path: writeHeapSnapshot(message.path) });
      return;
    }
    if (message?.type !== 'memory') return;
    const channel = new BroadcastChannel(CHANNEL);
    const workers = [];
    channel.onmessage = ({ data }) => {
      if (data?.type === 'heap') workers.push(data.heap);
    };
    channel.postMessage({ type: 'collect' });
    // Worker threads answer within milliseconds between rounds; a round in flight delays them.
    setTimeout(() => {
      channel.close();
      const main = collectedHeap();
      // V8 hands the pages a collection freed back to the system on a background thread: read
      // once that is done, not while they are still counted.
      setTimeout(() => {
        trimFreedMemory();
        // The heap as the collections left it: Vigil runs on meanwhile, and what it allocated in
        // that second is not live data.
        process.send?.({
          type: 'memory',
          ...process.memoryUsage(),
          heapUsed: main.used,
          ...residentSplit(),
          main,
          workers,
        });
      }, PAGES_RELEASED_MS);
    }, WORKERS_ANSWER_MS);
  });
  // Never what keeps Vigil running (a listener refs the channel, so this comes after it).
  process.channel?.unref();
} else {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = ({ data }) => {
    if (data?.type === 'collect') channel.postMessage({ type: 'heap', heap: collectedHeap() });
  };
  // Never what keeps a worker thread running.
  channel.unref();
}
