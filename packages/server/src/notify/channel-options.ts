import { z } from 'zod';
import { targetNameShape } from './targets.js';

/**
 * Vigil TS options accepted on every `[notify.<channel>]` table; Vigil ignores them. Channel schemas
 * spread this shape so they accept the keys; the dispatcher reads them from the table itself.
 */
export const channelOptionsShape = {
  /** Tell this channel only once its scope has stayed dead this long (e.g. Slack at once, phones after 300). */
  delay_seconds: z.number().int().min(0).max(31_536_000).optional(),
  /** Also tell changes into and out of sick, with the sick replicas (upstream #82, #105). */
  notify_sick: z.boolean().optional(),
  /** Only these services count for this channel (upstream #155); with `nodes`, their union. */
  services: z.array(z.string().min(1)).optional(),
  /** Only these nodes count, each as `service:node`. */
  nodes: z
    .array(z.string().regex(/^[^:]+:.+$/, { message: 'must be "service:node", such as "web:api"' }))
    .optional(),
  /** Names an entry of a `[[notify.<channel>]]` array, so its id survives reordering. */
  ...targetNameShape,
};

export const channelOptionsSchema = z.object(channelOptionsShape);
export type ChannelOptionKeys = z.output<typeof channelOptionsSchema>;

/** Which part of the page a channel watches; undefined scope means the whole page, as in Vigil. */
export interface ScopeFilter {
  services: string[];
  /** `service:node` references. */
  nodes: string[];
}

export interface ChannelOptions {
  delayMs: number;
  notifySick: boolean;
  scope?: ScopeFilter;
}

/** The options of one `[notify.<channel>]` table, parsed by channelOptionsSchema; absent keys give Vigil's behaviour. */
export function channelOptions(parsed: ChannelOptionKeys): ChannelOptions {
  const filtered = parsed.services !== undefined || parsed.nodes !== undefined;
  return {
    delayMs: (parsed.delay_seconds ?? 0) * 1000,
    notifySick: parsed.notify_sick ?? false,
    ...(filtered && { scope: { services: parsed.services ?? [], nodes: parsed.nodes ?? [] } }),
  };
}

/** The key of the watcher of channels without options: Vigil's own global decisions. */
export const PAGE_WATCHER_KEY = 'page';

/** Channels with equal options share one watcher, so they share alerts, ids and reminder counters. */
export function optionsKey(options: ChannelOptions): string {
  if (options.delayMs === 0 && !options.notifySick && !options.scope) return PAGE_WATCHER_KEY;
  const scope = options.scope && {
    services: [...options.scope.services].sort(),
    nodes: [...options.scope.nodes].sort(),
  };
  return JSON.stringify({ delayMs: options.delayMs, notifySick: options.notifySick, scope });
}
