/** The optional logger: any object with some of console's methods, such as `console` itself. */
export interface ReporterConsole {
  log?(message: string, data?: unknown): void;
  info?(message: string, data?: unknown): void;
  warn?(message: string, data?: unknown): void;
  error?(message: string, data?: unknown): void;
}

/** node-vigil-reporter's options, plus `startDelayMs`. */
export interface VigilReporterOptions {
  /** Base URL of the Vigil server (its `page_url`), a sub-path included: `https://status.example.com`. */
  url: string;
  /** The server's `reporter_token`. */
  token: string;
  /** Service id (`[[probe.service]] id`). */
  probe_id: string;
  /** Node id of a `mode = "push"` node in that service. */
  node_id: string;
  /** This instance's unique id within the node, e.g. its LAN IP. */
  replica_id: string;
  /** Seconds between reports, a whole number; 30 when missing or 0. */
  interval?: number;
  /** Where to log what the reporter does; silent when absent. */
  console?: ReporterConsole | null;
  /** Delay before the first report, in ms: 10 000 as in node-vigil-reporter. */
  startDelayMs?: number;
}

export interface Settings {
  url: URL;
  token: string;
  probeId: string;
  nodeId: string;
  replicaId: string;
  intervalSeconds: number;
  console: ReporterConsole | null;
  startDelayMs: number;
}

export const DEFAULT_INTERVAL_SECONDS = 30;
export const DEFAULT_START_DELAY_MS = 10_000;

const REQUIRED_STRINGS = ['url', 'token', 'probe_id', 'node_id', 'replica_id'] as const;

const invalid = (name: string) => new Error(`Invalid or missing options.${name}`);

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
}

/** Checks options as node-vigil-reporter does, with the same messages, and a few more checks. */
export function normalizeOptions(options: VigilReporterOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new Error('Invalid or missing options');
  for (const name of REQUIRED_STRINGS) {
    if (typeof options[name] !== 'string') throw invalid(name);
  }
  // Stricter than the old library, which failed later, on every report.
  if (!isHttpUrl(options.url)) throw invalid('url');
  const { interval, startDelayMs = DEFAULT_START_DELAY_MS } = options;
  // As before, a missing, non-numeric or zero interval means the default...
  const intervalSeconds = typeof interval === 'number' && interval ? interval : DEFAULT_INTERVAL_SECONDS;
  // ...but one the server would refuse (it wants a whole number of seconds) is an error now.
  if (!Number.isSafeInteger(intervalSeconds) || intervalSeconds < 1) throw invalid('interval');
  if (!Number.isFinite(startDelayMs) || startDelayMs < 0) throw invalid('startDelayMs');
  return {
    url: new URL(options.url),
    token: options.token,
    probeId: options.probe_id,
    nodeId: options.node_id,
    replicaId: options.replica_id,
    intervalSeconds,
    console: options.console ?? null,
    startDelayMs,
  };
}
