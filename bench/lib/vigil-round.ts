import type { ReplicaView } from '../../packages/server/src/model/views.js';
import type { IcmpMethod } from '../../packages/server/src/probes/index.js';
import { cpuMs } from './serve-parent.js';
import { count } from './table.js';
import { loadBenchConfig } from './vigil-config.js';
import { buildCore } from './vigil-core.js';

export interface RoundResult {
  durationMs: number;
  /** Checks that came back healthy (bare) or replicas probed and healthy (Vigil). */
  healthy: number;
  /** Checks that completed at all. */
  checked: number;
  /** Why checks failed, e.g. `EADDRNOTAVAIL` when ephemeral ports run out, with counts. */
  failures: Record<string, number>;
  cpuMs: number;
  /** Time to load and build the config, outside the round (Vigil only). */
  setupMs?: number;
  /** Process warnings during the round, e.g. MaxListenersExceededWarning. */
  warnings: string[];
}

export function tally(failures: Record<string, number>, reason: string): void {
  failures[reason] = (failures[reason] ?? 0) + 1;
}

export interface VigilRoundOptions {
  /** `[[probe.service.node]]` tables, as pollNodes writes them. */
  nodes: string;
  /** Extra `[metrics]` lines. */
  metrics: string;
  /** The whole round is aborted after this long, whatever is still in flight. */
  timeoutMs: number;
  /** How ICMP replicas ping; the prober's own choice when absent. */
  icmp?: IcmpMethod;
  /** CPU reading diffed around the round; this process's own by default. */
  cpu?: () => number;
}

/** The real thing: config loader → topology → model → createProbers(...).poll.runRound(). */
export async function vigilRound(options: VigilRoundOptions, warnings: string[]): Promise<RoundResult> {
  const { cpu = cpuMs } = options;
  const setupStarted = performance.now();
  const failures: Record<string, number> = {};
  const { model, probers } = buildCore(
    loadBenchConfig(options.nodes, options.metrics),
    (error) => tally(failures, `job error: ${String(error)}`),
    options.icmp,
  );
  model.events.on('replica-changed', ({ current, reason }) => {
    if (current !== 'healthy') tally(failures, reason ?? current);
  });
  const setupMs = performance.now() - setupStarted;

  const cpuBefore = cpu();
  const durationMs = await probers.poll.runRound(AbortSignal.timeout(options.timeoutMs));
  const cpuUsed = cpu() - cpuBefore;
  await probers.poll.stop();

  // Every replica starts healthy in the model, so only the ones this round checked count.
  const states: ReplicaView[] = [...model.services.values()].flatMap((service) =>
    [...service.nodes.values()].flatMap((node) => [...node.replicas.values()]),
  );
  const checked = states.filter((state) => state.checkedAtMs !== undefined);
  model.stop();
  return {
    durationMs,
    healthy: checked.filter((state) => state.health === 'healthy').length,
    checked: checked.length,
    failures,
    cpuMs: cpuUsed,
    setupMs,
    warnings,
  };
}

export function describeWarnings(name: string, { warnings }: RoundResult): string[] {
  return [...new Set(warnings)].map((warning) => `${name} process warned: ${warning}`);
}

export function describeFailures(name: string, { failures }: RoundResult): string[] {
  const entries = Object.entries(failures).sort(([, a], [, b]) => b - a);
  if (entries.length === 0) return [];
  const top = entries.slice(0, 5).map(([reason, times]) => `${reason} ×${count(times)}`);
  return [`${name} failures: ${top.join('; ')}`];
}
