import type { NewAnnouncement } from '../../announcements/memory.js';
import type { Announcement } from '../../announcements/types.js';
import { RFC3339_EXPECTED, rfc3339Ms, TEXT_RULE, TITLE_RULE, textProblem } from './fields.js';

/** The longest expiry in seconds from now: a year and a day. */
export const LONGEST_EXPIRY_SECONDS = 366 * 24 * 3600;

/** An announcement as the manager API and the admin console receive it. */
export interface AnnouncementBody {
  title: string;
  text: string;
  severity?: NonNullable<Announcement['severity']>;
  expires_at?: string;
  expires_in_seconds?: number;
}

export const ANNOUNCEMENT_SEVERITIES = ['info', 'warning', 'critical'] as const;

/**
 * The fields to store, or what is wrong with the body (its title, text or expiry). `fieldPrefix`
 * names where the fields came from in the error: `body/` for JSON, nothing for a form.
 */
export function announcementFromBody(
  body: AnnouncementBody,
  nowMs: number,
  fieldPrefix = 'body/',
): { fields: NewAnnouncement } | { error: string } {
  const { title, text, severity } = body;
  const problem =
    textProblem(`${fieldPrefix}title`, title, TITLE_RULE) ??
    textProblem(`${fieldPrefix}text`, text, TEXT_RULE);
  if (problem !== undefined) return { error: problem };
  const expiry = expiresAtMs(body, nowMs);
  if ('error' in expiry) return expiry;
  return { fields: { title, text, severity, expiresAtMs: expiry.atMs } };
}

/** The extension's expiry: an absolute RFC 3339 time or a number of seconds from now, not both. */
function expiresAtMs(body: AnnouncementBody, nowMs: number): { atMs?: number } | { error: string } {
  if (body.expires_at !== undefined && body.expires_in_seconds !== undefined) {
    return { error: 'give expires_at or expires_in_seconds, not both' };
  }
  if (body.expires_in_seconds !== undefined) return { atMs: nowMs + body.expires_in_seconds * 1000 };
  if (body.expires_at === undefined) return {};
  const atMs = rfc3339Ms(body.expires_at);
  if (atMs === undefined) return { error: `expires_at must be ${RFC3339_EXPECTED}` };
  if (atMs <= nowMs) return { error: 'expires_at is in the past' };
  return { atMs };
}
