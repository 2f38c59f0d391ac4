/** Vigil's clock format, always UTC: `08:58:28 UTC+00:00`. */
export function formatClockTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 19)} UTC+00:00`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Vigil's announcement date format: `5 Mar 2026, 14:03:09 UTC+00:00`. */
export function formatAnnouncementDate(epochMs: number): string {
  const date = new Date(epochMs);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${formatClockTime(epochMs)}`;
}
