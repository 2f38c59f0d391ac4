import type { Logger } from 'pino';
import type { Refusal } from './types.js';

/** How many refused records one log line names; the count covers the rest. */
const NAMED_PER_LINE = 5;
/** Ids come from reporters: quoted with their escapes, and cut, so a log line stays readable. */
const ID_LENGTH = 60;
/** A database's message may quote the value it refused. */
const REASON_LENGTH = 200;

/** An id as it can go into a log line: escaped (NUL, lone surrogates, control characters) and cut. */
export function printableId(id: string): string {
  const quoted = JSON.stringify(id);
  return quoted.length <= ID_LENGTH ? quoted : `${quoted.slice(0, ID_LENGTH)}…"`;
}

/** One error line for the records a write left out, naming a few with the database's reason. */
export function logRefusals<T>(
  logger: Pick<Logger, 'error'>,
  what: string,
  refusals: readonly Refusal<T>[],
  name: (item: T) => string,
): void {
  if (refusals.length === 0) return;
  const named = refusals
    .slice(0, NAMED_PER_LINE)
    .map(({ item, error }) => `${name(item)} (${reason(error)})`);
  const more = refusals.length > NAMED_PER_LINE ? `, and ${refusals.length - NAMED_PER_LINE} more` : '';
  logger.error(
    `the store refused ${refusals.length} ${what}, left out so the others are kept: ${named.join(', ')}${more}`,
  );
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length <= REASON_LENGTH ? message : `${message.slice(0, REASON_LENGTH)}…`;
}
