import type { FastifyReply } from 'fastify';
import type { StartCursor } from '../../incidents/types.js';
import { INCIDENT_ID_PATTERN } from '../validation/fields.js';

/** The query-string schema of a cursor. */
export const cursor = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,200}$' } as const;

/** Cursors are opaque to clients: base64url of what the next page starts after. */
export const encodeCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor<T>(
  value: string | undefined,
  valid: (parsed: unknown) => parsed is T,
): T | undefined | Error {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString());
    return valid(parsed) ? parsed : new Error('invalid cursor');
  } catch {
    return new Error('invalid cursor');
  }
}

export function limitOf(value: string | undefined, fallback: number, max: number): number | Error {
  const limit = value === undefined ? fallback : Number(value);
  return limit >= 1 && limit <= max ? limit : new Error(`limit must be from 1 to ${max}`);
}

export const badRequest = (reply: FastifyReply, error: Error) =>
  reply.code(400).send({ error: error.message });

/** A cursor into a list of incidents (or history entries), newest first. */
export function isStartCursor(value: unknown): value is StartCursor {
  const { startedAtMs, id } = (value ?? {}) as Partial<Record<keyof StartCursor, unknown>>;
  return Number.isSafeInteger(startedAtMs) && typeof id === 'string' && INCIDENT_ID_PATTERN.test(id);
}
