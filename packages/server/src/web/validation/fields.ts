/**
 * Checks on the strings clients send before anything keeps them. Both stores must be able to write
 * whatever the API accepts: SQLite rejects lone UTF-16 surrogates, PostgreSQL rejects NUL bytes.
 */

/** Replica ids: room for a full DNS name (253) or a Kubernetes pod name, with a little to spare. */
export const ID_MAX_CHARACTERS = 256;
export const ANNOUNCEMENT_TITLE_MAX_CHARACTERS = 256;
/** About 2,500 words: a full incident write-up, while 100 of them still make a page of a few MB. */
export const ANNOUNCEMENT_TEXT_MAX_BYTES = 16 * 1024;

/**
 * Path parameters are measured in UTF-16 units once decoded (Fastify's `maxParamLength`): an id of
 * ID_MAX_CHARACTERS code points takes up to twice as many, so every id a report creates can be flushed.
 */
export const PATH_PARAM_MAX_UTF16_UNITS = 2 * ID_MAX_CHARACTERS;

/**
 * Incident ids in paths and cursors: UUIDs, with room for other simple ids. Anything else is no
 * incident of ours and never reaches the store (PostgreSQL refuses NUL, SQLite lone surrogates).
 */
export const INCIDENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

/** A lone surrogate (not well-formed Unicode) or any control character. */
const SURROGATE_OR_CONTROL = /[\p{Cs}\p{Cc}]/u;
/** The same, but tab, line feed and carriage return are allowed (multi-line texts). */
const SURROGATE_OR_CONTROL_BUT_LINES = /\p{Cs}|[^\P{Cc}\t\n\r]/u;

export interface TextRule {
  /** Smallest number of characters (code points). */
  minCharacters?: number;
  maxCharacters?: number;
  /** Largest size in UTF-8 bytes, for long texts where size is what matters. */
  maxBytes?: number;
  /** Allows tab, line feed and carriage return. */
  multiline?: boolean;
  /**
   * The value must also be usable as one URL path segment: not empty, "." or "..", which HTTP
   * clients drop or resolve away, so a flush could never name it.
   */
  pathSegment?: boolean;
}

export const REPLICA_ID_RULE: TextRule = { maxCharacters: ID_MAX_CHARACTERS, pathSegment: true };
export const TITLE_RULE: TextRule = { minCharacters: 1, maxCharacters: ANNOUNCEMENT_TITLE_MAX_CHARACTERS };
export const TEXT_RULE: TextRule = {
  minCharacters: 1,
  maxBytes: ANNOUNCEMENT_TEXT_MAX_BYTES,
  multiline: true,
};

/**
 * Why `value` breaks `rule`, as "<field> must …", or undefined when it is fine. The message never
 * repeats the value: it may be huge or unprintable.
 */
export function textProblem(field: string, value: string, rule: TextRule): string | undefined {
  const forbidden = rule.multiline ? SURROGATE_OR_CONTROL_BUT_LINES : SURROGATE_OR_CONTROL;
  if (forbidden.test(value)) {
    const allowed = rule.multiline ? ' other than tab and line breaks' : '';
    return `${field} must be well-formed Unicode without control characters${allowed}`;
  }
  if (rule.pathSegment && (value === '' || value === '.' || value === '..')) {
    return `${field} must not be empty, "." or "..": no URL could name it to flush it`;
  }
  const { minCharacters = 0, maxCharacters, maxBytes } = rule;
  // A code point takes one or two UTF-16 units: most values are judged by their length alone.
  const mustCount =
    value.length < 2 * minCharacters || (maxCharacters !== undefined && value.length > maxCharacters);
  const characters = mustCount ? codePoints(value) : value.length;
  if (characters < minCharacters) {
    return `${field} must have at least ${minCharacters} character${minCharacters === 1 ? '' : 's'}`;
  }
  if (maxCharacters !== undefined && characters > maxCharacters) {
    return `${field} must have at most ${maxCharacters} characters, got ${characters}`;
  }
  if (maxBytes !== undefined && value.length > maxBytes / 3) {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > maxBytes) return `${field} must be at most ${maxBytes} bytes in UTF-8, got ${bytes}`;
  }
  return undefined;
}

function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** RFC 3339 with a zone, e.g. `2026-03-05T18:00:00Z` or `…+01:00`: no guessing at local time. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Milliseconds since the epoch, or undefined when `value` is not an RFC 3339 time with a zone. */
export function rfc3339Ms(value: string): number | undefined {
  const atMs = RFC3339.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(atMs) ? undefined : atMs;
}

export const RFC3339_EXPECTED = 'an RFC 3339 time with a zone, such as 2026-03-05T18:00:00Z';
