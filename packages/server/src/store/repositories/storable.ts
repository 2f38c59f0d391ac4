/**
 * What the store can hold exactly, the same on both engines: rows are checked as they are built, so
 * a value one engine would refuse (PostgreSQL: NUL, a bigint out of range) or silently change
 * (both: a lone UTF-16 surrogate becomes U+FFFD, so the row is stored under another key) is refused
 * on both, as a data error that `writeIsolating` (batch.ts) sets aside alone.
 */
export class UnstorableValueError extends Error {
  override readonly name = 'UnstorableValueError';
}

/** A lone surrogate (`u` mode matches only unpaired ones) or NUL. */
const UNSTORABLE_TEXT = /\p{Cs}|\0/u;

/**
 * Whether a text could be in a row: one that could not is in none, so a lookup by it (an id a client
 * sent) finds nothing without asking the database, which would refuse it (PostgreSQL: NUL).
 */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE_TEXT.test(value);
}

export function storableText(column: string, value: string): string {
  if (!isStorableText(value)) {
    throw new UnstorableValueError(`${column}: text with NUL or a lone UTF-16 surrogate cannot be stored`);
  }
  return value;
}

export function storableOptionalText(column: string, value: string | undefined): string | null {
  return value === undefined ? null : storableText(column, value);
}

/** Times in ms and whole seconds: `bigint` columns, exact in a JS number up to 2^53. */
export function storableInteger(column: string, value: number): number {
  if (!Number.isSafeInteger(value)) {
    throw new UnstorableValueError(`${column}: ${value} is not an integer the store can hold`);
  }
  return value;
}

export function storableNumber(column: string, value: number): number {
  if (!Number.isFinite(value)) throw new UnstorableValueError(`${column}: ${value} is not a finite number`);
  return value;
}

/**
 * Whether the database refused the data of a write rather than failing to run it (connection lost,
 * disk full, busy): only then can another try of the same rows never succeed.
 *
 * PostgreSQL SQLSTATE classes 21 (cardinality), 22 (data exception: NUL, out of range), 23
 * (integrity constraint), 54 (program limit: an index row too large); SQLite's constraint,
 * mismatch, too-big and range codes.
 */
export function isRefusedData(error: unknown): boolean {
  if (error instanceof UnstorableValueError) return true;
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (typeof code !== 'string') return false;
  return /^(?:2[123]|54)[0-9A-Z]{3}$/.test(code) || /^SQLITE_(?:CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code);
}
