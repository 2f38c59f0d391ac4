import type { IncomingHttpHeaders } from 'node:http';
import { ProbeFailure } from './errors.js';
import type { HeaderAssertion, JsonAssertion } from './http.js';

/** A body as far as the probe read it. */
export interface ReadBody {
  text: string;
  /** False when the body was longer than the read limit and was cut. */
  complete: boolean;
}

/** Values from the server end up in reasons: quoted, and cut short so a huge field stays readable. */
const SHOWN_VALUE_LENGTH = 80;

function quote(value: string): string {
  const shown = value.length > SHOWN_VALUE_LENGTH ? `${value.slice(0, SHOWN_VALUE_LENGTH)}…` : value;
  return JSON.stringify(shown);
}

/** search() ignores lastIndex, so a /g or /y regex gives the same answer on every check. */
export function searchMatches(text: string, pattern: RegExp): boolean {
  return text.search(pattern) !== -1;
}

/** The value at a dot path: object keys, or array indexes written as numbers. */
function valueAt(root: unknown, path: string): { found: true; value: unknown } | { found: false } {
  let current = root;
  for (const key of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(key) && Number(key) < current.length) {
      current = current[Number(key)];
    } else if (
      typeof current === 'object' &&
      current !== null &&
      !Array.isArray(current) &&
      Object.hasOwn(current, key)
    ) {
      current = (current as Record<string, unknown>)[key];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}

/** Throws a ProbeFailure naming the field unless the JSON body satisfies the assertion. */
export function assertJson(body: ReadBody, assertion: JsonAssertion): void {
  const field = `JSON field ${assertion.path}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.text);
  } catch {
    throw new ProbeFailure(
      body.complete ? `${field}: body is not JSON` : `${field}: body is larger than 1 MiB, not read as JSON`,
    );
  }
  const lookup = valueAt(parsed, assertion.path);
  if (!lookup.found) throw new ProbeFailure(`${field} is missing`);
  const text = typeof lookup.value === 'string' ? lookup.value : JSON.stringify(lookup.value);
  if (assertion.equals !== undefined && text !== assertion.equals) {
    throw new ProbeFailure(`${field} is ${quote(text)}, expected ${quote(assertion.equals)}`);
  }
  if (assertion.matches && !searchMatches(text, assertion.matches)) {
    throw new ProbeFailure(`${field} ${quote(text)} does not match ${assertion.matches}`);
  }
}

/** Throws a ProbeFailure naming the header unless the response has it (matching, when asked). */
export function assertHeader(headers: IncomingHttpHeaders, assertion: HeaderAssertion): void {
  const raw = headers[assertion.name.toLowerCase()];
  if (raw === undefined) throw new ProbeFailure(`header ${assertion.name} is missing`);
  const value = Array.isArray(raw) ? raw.join(', ') : raw;
  if (assertion.matches && !searchMatches(value, assertion.matches)) {
    throw new ProbeFailure(`header ${assertion.name} ${quote(value)} does not match ${assertion.matches}`);
  }
}
