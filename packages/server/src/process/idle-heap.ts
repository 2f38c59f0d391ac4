import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Clock, TimerHandle } from '../time/clock.js';
import type { TrimOutcome } from './malloc-trim.js';

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
/**
 * Busy checks in a row that bring the compilers back: sustained work, not the odd second of a page
 * view, a round of a few checks or what follows the start (which interpreted code does as well).
 */
export const BUSY_CHECKS_BEFORE_COMPILERS = 2;

const SMALL_HEAP_FLAG = '--optimize-for-size';
/**
 * No optimizing (TurboFan) or baseline (Sparkplug) compilation while the process is quiet: once a
 * compiler has run, its own code in the node binary and what it made stay resident (~9 MB on the
 * shipped config, idle). Quiet work runs in the interpreter; BUSY_CHECKS_BEFORE_COMPILERS busy
 * checks in a row bring both back.
 */
export const QUIET_JIT_FLAGS = '--no-turbofan --no-sparkplug';
export const BUSY_JIT_FLAGS = '--turbofan --sparkplug';
/**
 * Up to this many configured replicas, the compilers stay off through the start: it is short (the
 * shipped config's takes ~0.5 s of CPU), and counted as busy it would bring them back for nothing.
 * A larger fleet's start is long work (100,000 replicas: ~3 s with them, ~5 s without): they come
 * back at once.
 */
export const QUIET_START_MAX_REPLICAS = 1000;
/** Node flags that choose a compiler tier: with any of them, the operator's choice is left alone. */
const JIT_FLAG = /^--(no[-_])?(opt|turbofan|sparkplug|always[-_]sparkplug|jitless|maglev)(=|$)/;

export interface IdleHeapOptions {
  clock: Clock;
  /** The share of one CPU the process used since the previous call; from `process.cpuUsage()` by default. */
  cpuShare?: () => number;
  /** Sets V8 flags at run time; `v8.setFlagsFromString` by default. */
  setFlags?: (flags: string) => void;
  /** Runs a full garbage collection; V8's `gc()` by default. */
  collect?: () => void;
  /**
   * Gives the memory each collection freed back to the system, which glibc otherwise keeps
   * (`trimFreedMemory`); not called again once it answered `'unavailable'`. None by default.
   */
  trim?: () => TrimOutcome;
  /**
   * Whether the compilers are off while quiet (`loadWithSmallHeap` turned them off); by default
   * unless the operator chose a compiler tier.
   */
  quietJit?: boolean;
  /**
   * When the compilers may first come back: `'now'` (the default), or at the first busy check after
   * this settles (the server's start), whose CPU then does not count.
   */
  compilersBack?: 'now' | Promise<unknown>;
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
 * V8's `gc()` for this thread's heap, without `--expose-gc` on the command line: the flag exposes
 * it to contexts created after it is set, so one new context fetches it and the flag is cleared
 * again.
 */
export function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  return gc;
}

/** The node flags the operator gave, on the command line or in NODE_OPTIONS. */
function operatorFlags(execArgv: readonly string[], nodeOptions: string): string[] {
  return [...execArgv, ...nodeOptions.split(/\s+/)];
}

/** True when the operator set the flag (command line or NODE_OPTIONS): it is then left alone. */
export function smallHeapChosenByOperator(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): boolean {
  return operatorFlags(execArgv, nodeOptions).some((arg) => arg.includes('optimize-for-size'));
}

/**
 * The flags that undo the small-heap flag. Setting `--optimize-for-size` also lowers
 * `--max-semi-space-size` to 1 MB, which clearing it does not restore; the isolates made afterwards
 * (the prober thread) would keep a 1 MB semi-space for good and spend 2–4× the CPU on scavenges. So
 * the semi-space flag goes back to the operator's value, or to 0, V8's "size it yourself".
 */
export function largeHeapFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): string {
  const chosen = operatorFlags(execArgv, nodeOptions)
    .map((arg) => /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(arg)?.[1])
    .findLast((value) => value !== undefined);
  return `--no-optimize-for-size --max-semi-space-size=${chosen ?? 0}`;
}

/** True when the operator chose a compiler tier (command line or NODE_OPTIONS): it is then left alone. */
export function jitChosenByOperator(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): boolean {
  return operatorFlags(execArgv, nodeOptions).some((arg) => JIT_FLAG.test(arg));
}

/**
 * Sets the small-heap and quiet-compiler flags before the server's modules load (each unless the
 * operator chose it; nothing when `shrinkHeapWhenIdle` will not run), so that loading them grows
 * V8's young generation less and leaves the compilers untouched; `shrinkHeapWhenIdle` takes over
 * once serving.
 */
export function loadWithSmallHeap(): void {
  if (smallHeapChosenByOperator()) return;
  setFlagsFromString(SMALL_HEAP_FLAG);
  if (!jitChosenByOperator()) setFlagsFromString(QUIET_JIT_FLAGS);
}

/**
 * Gives V8's young generation back while the server idles, and lets it grow under load; keeps the
 * optimizing and baseline compilers off while it is quiet (unless the operator chose a tier).
 *
 * Start-up (config validation, route compilation, the first render) and any burst of traffic grow
 * the young generation up to 2 × 16 MB, which an idle process otherwise keeps. With
 * `--optimize-for-size` set at run time, a full collection shrinks it to about 1 MB; but under load
 * the same flag costs ~20% more CPU per report (more scavenges). So the process's CPU use is read
 * every second: after a few idle seconds in a row the flag is set and one collection shrinks the
 * heap; at the first busy second the flag is cleared, so the young generation can grow again (the
 * flag is process-wide: the prober thread's work counts as busy too).
 * Called before the server starts (the flag is then on, see `loadWithSmallHeap`): it is cleared at
 * once, so the threads the start makes size their young generation as V8 does. A thread made while
 * the process idles (a reload that adds the first poll replicas) gets the small one. The compilers,
 * off since the load, come back at once or after busy checks in a row once the server has started
 * (see `compilersBack`), and go again with the small heap. Returns a function that stops the checks.
 */
export function shrinkHeapWhenIdle(options: IdleHeapOptions): () => void {
  const { clock, cpuShare = processCpuShare(), setFlags = setFlagsFromString } = options;
  const { quietJit = !jitChosenByOperator(), compilersBack = 'now' } = options;
  const collectGarbage = options.collect ?? fullCollection();
  let trim = options.trim;
  const collect = () => {
    collectGarbage();
    if (trim?.() === 'unavailable') trim = undefined;
  };
  const largeFlags = largeHeapFlags();
  // Both set by `loadWithSmallHeap`: the heap flag is cleared at once below, the compilers' flags
  // at once too or once there is work after the start.
  let small = true;
  let compilersOff = quietJit;
  let starting = compilersBack !== 'now';
  /** Idle checks in a row; the heap is shrunk when this reaches IDLE_CHECKS_BEFORE_SHRINK. */
  let idleChecks = 0;
  /** Busy checks in a row; the compilers come back when this reaches BUSY_CHECKS_BEFORE_COMPILERS. */
  let busyChecks = 0;
  const setSmall = (wanted: boolean) => {
    if (wanted !== small) setFlags(wanted ? SMALL_HEAP_FLAG : largeFlags);
    small = wanted;
  };
  const setCompilersOff = (wanted: boolean) => {
    if (quietJit && wanted !== compilersOff) setFlags(wanted ? QUIET_JIT_FLAGS : BUSY_JIT_FLAGS);
    compilersOff = wanted;
  };
  let handle: TimerHandle | undefined;
  const check = () => {
    if (cpuShare() < IDLE_CPU_SHARE) {
      busyChecks = 0;
      idleChecks++;
      if (idleChecks === IDLE_CHECKS_BEFORE_SHRINK) {
        setSmall(true);
        setCompilersOff(true);
      }
      // A second collection, a while later, returns what the first one left pooled.
      if (
        idleChecks === IDLE_CHECKS_BEFORE_SHRINK ||
        idleChecks === IDLE_CHECKS_BEFORE_SHRINK + SECOND_COLLECTION_AFTER_CHECKS
      )
        collect();
    } else {
      setSmall(false);
      busyChecks++;
      if (!starting && busyChecks >= BUSY_CHECKS_BEFORE_COMPILERS) setCompilersOff(false);
      idleChecks = 0;
    }
    handle = clock.setTimeout(check, IDLE_CHECK_MS);
  };
  // Cleared before the server starts, so that the threads it starts get a young generation of
  // V8's own size; set again only after idle checks.
  setSmall(false);
  if (compilersBack === 'now') setCompilersOff(false);
  else {
    const startSettled = () => {
      starting = false;
      // The next checks count from here on: not the start's busy checks, nor its CPU.
      busyChecks = 0;
      cpuShare();
    };
    compilersBack.then(startSettled, startSettled);
  }
  handle = clock.setTimeout(check, IDLE_CHECK_MS);
  return () => {
    if (handle !== undefined) clock.clearTimeout(handle);
    handle = undefined;
  };
}
