import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Clock, TimerHandle } from '../time/clock.js';

/**
 * Below this share of one CPU used over one check, the process counts as idle. All its threads
 * count (the prober thread, compression on libuv's pool), not only the event loop's.
 */
export const IDLE_CPU_SHARE = 0.05;
/** How often the process's CPU use is read: load clears the flag within this time. */
export const IDLE_CHECK_MS = 1000;
/**
 * Checks in a row that must find the process idle before the heap is shrunk (one full collection):
 * long enough that traffic in bursts a few seconds apart keeps its young generation.
 */
export const IDLE_CHECKS_BEFORE_SHRINK = 10;
/** Idle checks after the first collection, the second one. */
export const SECOND_COLLECTION_AFTER_CHECKS = 5;

const SMALL_HEAP_FLAG = '--optimize-for-size';

export interface IdleHeapOptions {
  clock: Clock;
  /** The share of one CPU the process used since the previous call; from `process.cpuUsage()` by default. */
  cpuShare?: () => number;
  /** Sets V8 flags at run time; `v8.setFlagsFromString` by default. */
  setFlags?: (flags: string) => void;
  /** Runs a full garbage collection; V8's `gc()` by default. */
  collect?: () => void;
}

/** CPU time of all the process's threads over wall time, since the previous call. */
function processCpuShare(): () => number {
  let previousCpu = process.cpuUsage();
  let previousAtMs = performance.now();
  return () => {
    const used = process.cpuUsage(previousCpu);
    const nowMs = performance.now();
    const share = (used.user + used.system) / 1000 / Math.max(1, nowMs - previousAtMs);
    previousCpu = process.cpuUsage();
    previousAtMs = nowMs;
    return share;
  };
}

/**
 * V8's `gc()`, without `--expose-gc` on the command line: the flag exposes it to contexts created
 * after it is set, so one new context fetches it and the flag is cleared again.
 */
function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  return gc;
}

/** True when the operator set the flag (command line or NODE_OPTIONS): it is then left alone. */
export function smallHeapChosenByOperator(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => arg.includes('optimize-for-size'));
}

/**
 * Sets the small-heap flag before the server's modules load (unless the operator set it), so that
 * loading them grows V8's young generation less; `shrinkHeapWhenIdle` takes over once serving.
 */
export function loadWithSmallHeap(): void {
  if (!smallHeapChosenByOperator()) setFlagsFromString(SMALL_HEAP_FLAG);
}

/**
 * Gives V8's young generation back while the server idles, and lets it grow under load.
 *
 * Start-up (config validation, route compilation, the first render) and any burst of traffic grow
 * the young generation up to 2 × 16 MB, which an idle process otherwise keeps. With
 * `--optimize-for-size` set at run time, a full collection shrinks it to about 1 MB; but under load
 * the same flag costs ~20% more CPU per report (more scavenges). So the process's CPU use is read
 * every second: after a few idle seconds in a row the flag is set and one collection shrinks the
 * heap; at the first busy second the flag is cleared, so the young generation can grow again (the
 * flag is process-wide: the prober thread's work counts as busy too).
 * Called once the server is up (the flag is then on, see `loadWithSmallHeap`); returns a function
 * that stops the checks.
 */
export function shrinkHeapWhenIdle(options: IdleHeapOptions): () => void {
  const { clock, cpuShare = processCpuShare(), setFlags = setFlagsFromString } = options;
  const collect = options.collect ?? fullCollection();
  let small = false;
  /** Idle checks in a row; the heap is shrunk when this reaches IDLE_CHECKS_BEFORE_SHRINK. */
  let idleChecks = 0;
  const setSmall = (wanted: boolean) => {
    if (wanted !== small) setFlags(wanted ? SMALL_HEAP_FLAG : `--no-${SMALL_HEAP_FLAG.slice(2)}`);
    small = wanted;
  };
  let handle: TimerHandle | undefined;
  const check = () => {
    if (cpuShare() < IDLE_CPU_SHARE) {
      idleChecks++;
      if (idleChecks === IDLE_CHECKS_BEFORE_SHRINK) setSmall(true);
      // A second collection, a while later, returns what the first one left pooled.
      if (
        idleChecks === IDLE_CHECKS_BEFORE_SHRINK ||
        idleChecks === IDLE_CHECKS_BEFORE_SHRINK + SECOND_COLLECTION_AFTER_CHECKS
      )
        collect();
    } else {
      setSmall(false);
      idleChecks = 0;
    }
    handle = clock.setTimeout(check, IDLE_CHECK_MS);
  };
  setSmall(true);
  handle = clock.setTimeout(check, IDLE_CHECK_MS);
  return () => {
    if (handle !== undefined) clock.clearTimeout(handle);
    handle = undefined;
  };
}
