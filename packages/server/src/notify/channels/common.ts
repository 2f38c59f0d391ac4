import { z } from 'zod';
import { channelOptionsShape } from '../channel-options.js';
import type { Alert } from '../types.js';

/** Schema pieces and small rules shared by the HTTP channels. */

/** Vigil parses these keys as URLs, so a relative or malformed one fails at startup, not at alert time. */
export const absoluteUrl = z.string().refine((value) => URL.canParse(value), {
  message: 'must be an absolute URL, such as https://example.com/',
});

/** A URL the channel POSTs to or shows as a link: absolute, and http or https (no file:, no mailto:). */
export const httpUrl = absoluteUrl.refine(
  // An unparsable value already has absoluteUrl's message; one message per mistake.
  (value) => !URL.canParse(value) || /^https?:$/.test(new URL(value).protocol),
  { message: 'must be an http:// or https:// URL' },
);

/** A `[notify.<name>]` table: the channel's keys plus Vigil's `reminders_only` (default false). */
export function notifierSchema<Shape extends z.ZodRawShape>(shape: Shape) {
  // Every channel also takes Vigil TS's alerting options (delay, sick, scope filters).
  return z.object({ ...shape, reminders_only: z.boolean().default(false), ...channelOptionsShape });
}

/** Vigil's `reminders_only` filter: such a channel hears reminders only, no startup, down or recovery. */
export function acceptsAlert(remindersOnly: boolean, alert: Alert): boolean {
  return !remindersOnly || alert.kind === 'reminder';
}

/** A configured URL as Vigil's `Url` holds it: parsed and normalised, so a bare host gains its `/`. */
export function normalizedUrl(url: string): string {
  return new URL(url).href;
}

/** `base` (an `api_url` extension key, possibly with a path prefix) followed by `/path`. */
export function underBase(base: string, path: string): string {
  return `${normalizedUrl(base).replace(/\/+$/, '')}/${path}`;
}
