import { z } from 'zod';
import type { KeyPath } from '../config/problems.js';
import type { ChannelDefinition } from './channel-definition.js';
import type { TargetId } from './types.js';

/**
 * A channel is configured either by Vigil's single `[notify.<channel>]` table or by an array of
 * `[[notify.<channel>]]` tables, one per target (two Slack workspaces, each with its own routing and
 * delay). Every target gets an id that names its deliveries, worker and metrics:
 *
 *   `[notify.slack]`                 → `slack`        (Vigil's form; the id before targets existed)
 *   `[[notify.slack]]` name = "ops"  → `slack#ops`
 *   `[[notify.slack]]` without name  → `slack#0`, `slack#1`… by position
 *
 * Alert state is kept per watcher, and a watcher is keyed by the options it judges with (delay,
 * sick, scope), not by the target, so no form change loses it. The outbox is keyed by target id:
 * moving unnamed entries around hands their pending deliveries to whichever entry takes the
 * position, which `name` avoids.
 */

/** A target's name: starts with a letter, so it never reads as a position. */
const TARGET_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The `name` key every channel table accepts; only entries of a `[[notify.<channel>]]` array may set it. */
export const targetNameShape = {
  name: z
    .string()
    .regex(TARGET_NAME, { message: 'must start with a letter, then letters, digits, _ or -' })
    .optional(),
};

/**
 * A channel's value under `[notify]`: one table, or a non-empty array of tables with distinct names.
 * The refinements keep the table's own schema class, so the config's schema walk still sees its keys.
 */
export function channelTargetsSchema(schema: z.ZodType): ChannelTargetsSchema {
  const single = schema.superRefine((table, context) => {
    if (nameOf(table) !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['name'],
        message: 'only entries of a [[notify.<channel>]] array take a name',
        input: nameOf(table),
      });
    }
  });
  const many = z
    .array(schema)
    .min(1, { message: 'must hold at least one table: add a [[notify.<channel>]] entry or remove the key' })
    .superRefine((tables, context) => {
      const seen = new Set<string>();
      tables.forEach((table, index) => {
        const name = nameOf(table);
        if (name === undefined) return;
        if (seen.has(name)) {
          context.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: 'is already the name of an earlier entry',
            input: name,
          });
        }
        seen.add(name);
      });
    });
  return z.union([single, many]);
}

export type ChannelTargetsSchema = z.ZodUnion<readonly [z.ZodType, z.ZodArray<z.ZodType>]>;

function nameOf(table: unknown): string | undefined {
  if (typeof table !== 'object' || table === null) return undefined;
  const name = (table as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** One target's table as the config holds it, with where it is and the id it goes by. */
export interface TargetTable {
  definition: ChannelDefinition;
  id: TargetId;
  /** Where the table is in the config: `['notify', 'slack']` or `['notify', 'slack', 1]`. */
  path: KeyPath;
  table: unknown;
}

/** Every configured target, channels in `definitions` order, entries of an array in file order. */
export function targetTables(
  notify: Record<string, unknown>,
  definitions: readonly ChannelDefinition[],
): TargetTable[] {
  return definitions.flatMap((definition) => {
    const value = notify[definition.name];
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      return [{ definition, id: definition.name, path: ['notify', definition.name], table: value }];
    }
    return value.map((table: unknown, index) => ({
      definition,
      id: targetId(definition.name, nameOf(table) ?? index),
      path: ['notify', definition.name, index],
      table,
    }));
  });
}

/** `slack#ops` or `slack#1`: an array entry's id. */
export function targetId(channel: string, nameOrIndex: string | number): TargetId {
  return `${channel}#${nameOrIndex}`;
}

/** The channel a target id belongs to: `slack` for `slack`, `slack#ops` and `slack#1`. */
export function channelOfTarget(target: TargetId): string {
  const hash = target.indexOf('#');
  return hash === -1 ? target : target.slice(0, hash);
}
