/** RFC 5321's limits: 64 octets before the `@`, 254 for the whole path. */
const LOCAL_PART_MAX = 64;
const ADDRESS_MAX = 254;

/**
 * A plain `local@domain` address: a dot-atom local part (no quoting, comments, spaces or the
 * separators that would name a second recipient) and a DNS name with a dot. Enough for every
 * address people subscribe with, and nothing an SMTP server could read as two.
 */
const ADDRESS =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** The address as stored (domain lowercased, the local part kept as typed), or why it is refused. */
export function normalizeAddress(value: string): string | Error {
  const trimmed = value.trim();
  if (trimmed.length > ADDRESS_MAX || !ADDRESS.test(trimmed)) {
    return new Error(
      `email must be a plain address such as name@example.com, at most ${ADDRESS_MAX} characters`,
    );
  }
  const at = trimmed.lastIndexOf('@');
  if (at > LOCAL_PART_MAX)
    return new Error(`email must have at most ${LOCAL_PART_MAX} characters before the @`);
  return `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}
