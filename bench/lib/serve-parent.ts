import { readFileSync } from 'node:fs';
import type { ChildApi, ToChild, ToParent } from './rpc.js';

function send(message: ToParent): void {
  process.send?.(message);
}

/**
 * Child side: announces `ready` and answers the parent's calls with `api`. The child exits as soon
 * as the parent goes away, so a crashed benchmark run never leaves a server behind.
 */
export function serveParent<Api extends ChildApi>(ready: unknown, api: Api): void {
  if (!process.send) throw new Error('this script is a benchmark child: start it through bench/run.ts');
  process.on('disconnect', () => process.exit(0));
  // A clean exit on the parent's SIGTERM, so exit-time output (--cpu-prof, --heap-prof) is written.
  process.once('SIGTERM', () => process.exit(0));
  process.on('message', async (message: ToChild) => {
    if (message.kind !== 'call') return;
    const handler = api[message.method];
    try {
      if (!handler) throw new Error(`unknown method ${message.method}`);
      send({ kind: 'reply', id: message.id, value: await handler(message.params as never) });
    } catch (error) {
      send({
        kind: 'reply',
        id: message.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  });
  send({ kind: 'ready', value: ready });
}

/** CPU time this process has used so far, in ms; the parent diffs two readings around a load run. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Linux reports child CPU in clock ticks of 1/100 s (USER_HZ). */
const TICK_MS = 10;

/**
 * CPU time of this process plus its children that have exited (fping, ping), in ms, from
 * /proc/self/stat (cutime and cstime, 1/100 s ticks: fine over thousands of checks).
 */
export function cpuWithChildrenMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const childTicks = Number(fields[13]) + Number(fields[14]);
  return cpuMs() + childTicks * TICK_MS;
}
