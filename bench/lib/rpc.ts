/** The messages between bench/run.ts and its children (over Node's IPC channel). */
export type ChildApi = Record<string, (params: never) => unknown>;

export type ParamsOf<Api extends ChildApi, K extends keyof Api> = Parameters<Api[K]>[0];
export type ResultOf<Api extends ChildApi, K extends keyof Api> = Awaited<ReturnType<Api[K]>>;

export type ToChild = { kind: 'call'; id: number; method: string; params: unknown };
export type ToParent =
  | { kind: 'ready'; value: unknown }
  | { kind: 'reply'; id: number; value: unknown }
  | { kind: 'reply'; id: number; error: string };

/** What every server child (bare or Vigil) announces and answers, so one driver measures either. */
export type ServerReady = { port: number };
export interface ServerStats {
  /** CPU time the server process has used so far. */
  cpuMs: number;
  /** Requests served so far, where the server counts them. */
  requests?: number;
  /** Replicas in the model, for Vigil. */
  replicas?: number;
}
export type ServerApi = { stats: () => ServerStats };
