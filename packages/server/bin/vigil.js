#!/usr/bin/env node
import { loadWithSmallHeap } from '../dist/process/idle-heap.js';

// First, so that loading the server does not grow V8's young generation (docs/performance.md).
loadWithSmallHeap();
await import('../dist/cli.js');
