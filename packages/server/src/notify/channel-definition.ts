import type { z } from 'zod';
import type { Channel, ChannelName } from './types.js';

/** What a channel needs from outside, injected so tests can point it at loopback. */
export interface ChannelDependencies {
  /** Per-attempt timeout (Vigil: 10 s). */
  timeoutMs: number;
}

/**
 * One notifier: its `[notify.<name>]` schema (Vigil's keys plus our optional extensions) and a
 * factory. Adding a channel means one file exporting one of these, plus one registry line.
 */
export interface ChannelDefinition<Schema extends z.ZodType = z.ZodType> {
  name: ChannelName;
  schema: Schema;
  create(config: z.output<Schema>, dependencies: ChannelDependencies): Channel;
}

export function defineChannel<Schema extends z.ZodType>(
  definition: ChannelDefinition<Schema>,
): ChannelDefinition<Schema> {
  return definition;
}
