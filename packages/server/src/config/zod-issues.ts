import { z } from 'zod';
import { type ConfigProblem, formatKeyPath, type KeyPath, valueAt } from './problems.js';
import { configSchema } from './schema.js';
import { schemaAt } from './schema-walk.js';

const EXPECTED_TYPES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a table',
  record: 'a table',
  array: 'an array',
};

/** Keys whose values must not be echoed into logs, even when they have the wrong type. */
const SECRET_KEY = /token|password|api_key/;

/**
 * The issues to report for one issue: a union that failed (`[notify.slack]` is a table or an array of
 * them) is replaced by the issues of the option whose type the value has, with their full paths, so
 * errors name the key (`notify.slack[1].hook_url`). Only when the value has none of the types does
 * the union issue itself remain.
 */
export function expandUnionIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const isTypeMismatch = (issues: z.core.$ZodIssue[]) =>
    issues.length === 1 && issues[0]?.code === 'invalid_type' && issues[0].path.length === 0;
  const matching = issue.errors.filter((issues) => !isTypeMismatch(issues));
  const [chosen] = matching;
  if (matching.length !== 1 || !chosen) return [issue];
  return chosen.flatMap((inner) => expandUnionIssue({ ...inner, path: [...issue.path, ...inner.path] }));
}

/** What a union accepts, from its options' type mismatches: `a table or an array`. */
function describeUnionTypes(issue: z.core.$ZodIssueInvalidUnion): string {
  const expected = issue.errors.flatMap((issues) =>
    issues.flatMap((inner) =>
      inner.code === 'invalid_type' ? [EXPECTED_TYPES[inner.expected] ?? inner.expected] : [],
    ),
  );
  return expected.join(' or ');
}

/**
 * Words one schema issue for an on-call engineer: what is wrong, what is allowed, and what the file
 * holds. Values are read from the parsed document, so they appear as written (before any transform).
 */
export function describeIssue(issue: z.core.$ZodIssue, document: unknown): ConfigProblem {
  const path = issue.path;
  const value = valueAt(document, path);
  const schema = schemaAt(configSchema, path);
  if (value === undefined && schema instanceof z.ZodObject) {
    // The table name says it all; `server: missing required table [server]` would say it twice.
    return { path: [], message: `missing required table [${formatTableName(path)}]` };
  }
  return { path, message: value === undefined ? describeMissing(path, schema) : describePresent() };

  function describePresent(): string {
    const got = `got ${describeValue(value, path)}`;
    if (schema instanceof z.ZodNumber) {
      const isNumber = typeof value === 'number' && Number.isFinite(value);
      return `${isNumber ? 'must be' : 'expected'} ${describeNumber(schema)}, ${got}`;
    }
    switch (issue.code) {
      case 'invalid_type':
        return `expected ${EXPECTED_TYPES[issue.expected] ?? issue.expected}, ${got}`;
      case 'invalid_value':
        return `must be one of ${issue.values.map(String).join(', ')}, ${got}`;
      case 'invalid_union':
        return `expected ${describeUnionTypes(issue)}, ${got}`;
      case 'too_small':
        return issue.origin === 'string' && Number(issue.minimum) === 1 ? 'must not be empty' : issue.message;
      case 'custom':
      case 'invalid_format':
        return `${issue.message}, ${got}`;
      default:
        return issue.message;
    }
  }
}

function describeMissing(path: KeyPath, schema: z.core.$ZodType | undefined): string {
  if (schema instanceof z.ZodArray && schema.element instanceof z.ZodObject) {
    const tables = `[[${formatTableName(path)}]]`;
    return `missing required key: add at least one ${tables} table (or ${String(path.at(-1))} = [])`;
  }
  return 'missing required key';
}

/** `probe.service.node`: how a TOML table header names it, without array indexes. */
function formatTableName(path: KeyPath): string {
  return formatKeyPath(path.filter((segment) => typeof segment !== 'number'));
}

/** `an integer from 1 to 10000`, `a number ≥ 0`… */
function describeNumber(schema: z.ZodNumber): string {
  const kind = schema.isInt ? 'an integer' : 'a number';
  const bounded = (limit: number | null) =>
    limit !== null && Math.abs(limit) < Number.MAX_SAFE_INTEGER ? limit : undefined;
  const min = bounded(schema.minValue);
  const max = bounded(schema.maxValue);
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min !== undefined) return `${kind} ≥ ${min}`;
  if (max !== undefined) return `${kind} ≤ ${max}`;
  return kind;
}

const MAX_SHOWN_LENGTH = 60;

/** A short rendering of a TOML value as the file holds it: `"abc"`, `12`, `nan`, `an array`… */
function describeValue(value: unknown, path: KeyPath): string {
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'a table';
  const key = String(path.at(-1));
  if (SECRET_KEY.test(key)) return `a ${typeof value} (value hidden)`;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  }
  if (typeof value !== 'string') return String(value);
  const shown = JSON.stringify(value);
  return shown.length > MAX_SHOWN_LENGTH ? `${shown.slice(0, MAX_SHOWN_LENGTH - 2)}…"` : shown;
}
