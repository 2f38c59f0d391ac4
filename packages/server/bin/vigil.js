#!/usr/bin/env node
import { statSync } from 'node:fs';

/** Modification time in ms, or -1 when the file is missing. */
const modifiedMs = (relative) =>
  statSync(new URL(relative, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;

// The bundle (`npm run build`: scripts/bundle.mjs) takes less memory than the ~900 files of dist/;
// dist/ runs when there is no bundle, or when `tsc -b` alone rebuilt dist/ after it (a packed or
// installed package ships no build info, only the bundle).
const bundledMs = modifiedMs('../dist/bundle/cli.js');
const bundled = bundledMs >= 0 && bundledMs >= modifiedMs('../tsconfig.tsbuildinfo');
const idleHeap = await import(bundled ? '../dist/bundle/idle-heap.js' : '../dist/process/idle-heap.js');

// First, so that loading the server does not grow V8's young generation (docs/performance.md).
idleHeap.loadWithSmallHeap();
await import(bundled ? '../dist/bundle/cli.js' : '../dist/cli.js');
