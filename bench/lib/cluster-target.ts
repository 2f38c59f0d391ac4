import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback } from './bare-http.js';

/** One poll round of one member as the target saw it: its first and last request. */
export interface SeenRound {
  startMs: number;
  endMs: number;
  requests: number;
}

/** One request to a flipped path: which, when, from where, and what it was answered. */
export interface FlipHit {
  path: string;
  atMs: number;
  from: string;
  status: number;
}

/**
 * The loopback target of the cluster benchmark: 200 to every path but the flipped ones that are
 * down (paths under `flipPrefix`). Members probe from distinct source addresses, so the target tells their rounds apart: a
 * member's requests separated by more than `gapMs` (a good part of the pause between rounds) start
 * a new round.
 */
export async function startClusterTarget(flipPrefix: string, gapMs: number) {
  const open = new Map<string, SeenRound>();
  const rounds = new Map<string, SeenRound[]>();
  const flipHits: FlipHit[] = [];
  const down = new Set<string>();

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const atMs = Date.now();
    const from = request.socket.remoteAddress ?? '?';
    const current = open.get(from);
    if (current && atMs - current.endMs <= gapMs) {
      current.endMs = atMs;
      current.requests += 1;
    } else {
      if (current) rounds.set(from, [...(rounds.get(from) ?? []), current]);
      open.set(from, { startMs: atMs, endMs: atMs, requests: 1 });
    }
    // Without the cache-buster query the HTTP probe adds.
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const status = down.has(path) ? 503 : 200;
    if (path.startsWith(flipPrefix)) flipHits.push({ path, atMs, from, status });
    response.writeHead(status, { 'Content-Length': '0' }).end();
  };
  const { server, port } = await listenLoopback(handler);

  return {
    port,
    flipHits,
    setDown(path: string, isDown: boolean) {
      if (isDown) down.add(path);
      else down.delete(path);
    },
    /** Rounds of `from` that have ended (no request for `gapMs`) and started at or after `sinceMs`. */
    roundsOf(from: string, sinceMs: number): SeenRound[] {
      const current = open.get(from);
      const ended = current && Date.now() - current.endMs > gapMs ? [current] : [];
      return [...(rounds.get(from) ?? []), ...ended].filter((round) => round.startMs >= sinceMs);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type ClusterTarget = Awaited<ReturnType<typeof startClusterTarget>>;
