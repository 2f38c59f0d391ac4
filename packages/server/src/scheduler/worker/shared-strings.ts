/** Strings up to this long are looked up to be shared: kinds, methods, host names; not URLs. */
const SHARED_MAX_LENGTH = 32;

/**
 * Makes equal short strings in the fields of `records` one string again. The structured clone that
 * brings the prober thread its targets gives each target its own copy of every string, even of the
 * ones thousands of targets hold (`http`, `HEAD`): ~45 B per replica at 100,000 HTTP replicas.
 * Changes the records in place; nested objects (shared headers) are left as they are.
 */
export function shareShortStrings(records: readonly object[]): void {
  const shared = new Map<string, string>();
  for (const record of records) {
    const fields = record as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      if (typeof value !== 'string' || value.length > SHARED_MAX_LENGTH) continue;
      const first = shared.get(value);
      if (first === undefined) shared.set(value, value);
      else fields[key] = first;
    }
  }
}
