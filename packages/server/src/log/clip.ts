/** At most `maxCharacters` (UTF-16 units) of `value` for a log line, marked with the full length when cut. */
export function clipForLog(value: string, maxCharacters = 128): string {
  if (value.length <= maxCharacters) return value;
  // Never cuts a surrogate pair in half.
  const last = value.charCodeAt(maxCharacters - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? maxCharacters - 1 : maxCharacters;
  return `${value.slice(0, end)}… (${Array.from(value).length} characters)`;
}
