import { z } from 'zod';
import type { KeyPath } from './problems.js';

/** The schema that decides what a value may hold, past optional, default and pipe wrappers. */
export function unwrapSchema(schema: z.core.$ZodType): z.core.$ZodType {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) return unwrapSchema(schema.unwrap());
  if (schema instanceof z.ZodPipe) return unwrapSchema(schema.in);
  return schema;
}

/**
 * The option of a union of a table and an array (`[notify.slack]` or `[[notify.slack]]`) that holds
 * `value`: the array one for an array or an index, the table one otherwise.
 */
function unionOption(schema: z.core.$ZodType, isArray: boolean): z.core.$ZodType {
  if (!(schema instanceof z.ZodUnion)) return schema;
  const options: readonly z.core.$ZodType[] = schema.options;
  const option = options.find((candidate) => unwrapSchema(candidate) instanceof z.ZodArray === isArray);
  return option ? unwrapSchema(option) : schema;
}

/** The schema of one key or array entry below `schema`, or undefined when the schema has no such key. */
function childSchema(schema: z.core.$ZodType, segment: PropertyKey): z.core.$ZodType | undefined {
  const inner = unionOption(unwrapSchema(schema), typeof segment === 'number');
  if (inner instanceof z.ZodObject && typeof segment === 'string') {
    return Object.hasOwn(inner.shape, segment) ? inner.shape[segment] : undefined;
  }
  if (inner instanceof z.ZodRecord && typeof segment === 'string') return inner.valueType;
  if (inner instanceof z.ZodArray && typeof segment === 'number') return inner.element;
  return undefined;
}

export function schemaAt(schema: z.core.$ZodType, path: KeyPath): z.core.$ZodType | undefined {
  let current: z.core.$ZodType | undefined = schema;
  for (const segment of path) current = current && childSchema(current, segment);
  return current && unwrapSchema(current);
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Paths of the keys in `value` that the schema does not know. Records (such as http_headers) take
 * any key; values of the wrong type are left to the schema's own errors.
 */
export function findUnknownKeys(schema: z.core.$ZodType, value: unknown, path: KeyPath = []): KeyPath[] {
  const inner = unionOption(unwrapSchema(schema), Array.isArray(value));
  if (Array.isArray(value) && inner instanceof z.ZodArray) {
    return value.flatMap((item, index) => findUnknownKeys(inner.element, item, [...path, index]));
  }
  if (!isTable(value) || !(inner instanceof z.ZodObject || inner instanceof z.ZodRecord)) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const child = childSchema(inner, key);
    return child ? findUnknownKeys(child, item, [...path, key]) : [[...path, key]];
  });
}
