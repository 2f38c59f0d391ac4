// Child: the loopback target of the binary poll-round benchmark. 200 to everything; it tells the
// rounds apart by the pause between them (requests further apart than `gapMs` start a new round),
// so a round's duration is measured where the requests arrive, for Vigil and the bare loop alike.
import { type SeenRound, startClusterTarget } from '../lib/cluster-target.js';
import type { ServerReady } from '../lib/rpc.js';
import { cpuMs, serveParent } from '../lib/serve-parent.js';

const gapMs = Number(process.argv[2]);
if (!(gapMs > 0)) throw new Error(`usage: round-target.ts GAP_MS, got ${process.argv[2]}`);

// No path is ever flipped down here: every request is answered 200.
const target = await startClusterTarget('/never-flipped/', gapMs);

const api = {
  /** Ended rounds from 127.0.0.1 that started at or after `sinceMs` (wall clock). */
  rounds: (sinceMs: number): SeenRound[] => target.roundsOf('127.0.0.1', sinceMs),
  cpu: () => cpuMs(),
};
export type RoundTargetApi = typeof api;
serveParent({ port: target.port } satisfies ServerReady, api);
