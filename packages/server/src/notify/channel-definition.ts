import type { z } from 'zod';
import type { Channel } from './types.js';

/** What a channel needs from outside, injected so tests can point it at loopback. */
export interface ChannelDependencies {
  /** Per-attempt timeout (Vigil: 10 s). */
  timeoutMs: number;
}

/** What a channel's factory builds: the channel less its name, which its definition holds. */
export type ChannelSender = Omit<Channel, 'name'>;

/**
 * One notifier, self-described: its name (the `[notify.<name>]` key, the name in logs, metrics and
 * target ids), its table's schema (Vigil's keys plus our optional extensions) and a factory. Adding a
 * channel means one file exporting one of these, its test, and one line in registry.ts; everything
 * else that needs the channels (the config schema, the list of names, reload diffs) reads the registry.
 */
export interface ChannelDefinition<Name extends string = string, Schema extends z.ZodType = z.ZodType> {
  readonly name: Name;
  readonly schema: Schema;
  create(config: z.output<Schema>, dependencies: ChannelDependencies): Channel;
}

export function defineChannel<const Name extends string, Schema extends z.ZodType>(definition: {
  name: Name;
  schema: Schema;
  create(config: z.output<Schema>, dependencies: ChannelDependencies): ChannelSender;
}): ChannelDefinition<Name, Schema> {
  const { name, schema } = definition;
  return {
    name,
    schema,
    create: (config, dependencies) => ({ name, ...definition.create(config, dependencies) }),
  };
}
