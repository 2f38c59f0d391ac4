// Preloaded into the `vigil` binary under test (`node --expose-gc --import <this> …`): answers the
// benchmark's `memory` message over the IPC channel with the process's memory after full GCs of
// the main thread's heap. It reads and changes nothing of Vigil's. Plain JavaScript, so the built
// binary runs without a TypeScript loader.
process.on('message', (message) => {
  if (message?.type !== 'memory') return;
  globalThis.gc?.();
  globalThis.gc?.();
  process.send?.({ type: 'memory', ...process.memoryUsage() });
});
// Never what keeps Vigil running (a listener refs the channel, so this comes after it).
process.channel?.unref();
