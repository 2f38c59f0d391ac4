import { html, type SafeHtml } from '../html.js';

/** `2026-03-05 18:00:00 UTC`: one zone for every operator, said plainly. */
export function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function time(ms: number): SafeHtml {
  return html`<time datetime="${new Date(ms).toISOString()}">${utc(ms)}</time>`;
}

/** The session's synchronizer token, in every form. */
export const csrfField = (token: string) => html`<input type="hidden" name="csrf" value="${token}">`;

export const selected = (yes: boolean) => (yes ? html` selected` : '');
export const checked = (yes: boolean) => (yes ? html` checked` : '');

/** A text field for an RFC 3339 time, with the format said next to it. */
export function timeField(
  id: string,
  name: string,
  label: string,
  value: string,
  required: boolean,
): SafeHtml {
  const hint = required
    ? 'An RFC 3339 time with a zone, such as 2026-03-05T18:00:00Z.'
    : 'An RFC 3339 time with a zone, such as 2026-03-05T18:00:00Z; empty: until deleted.';
  return html`<label for="${id}">${label}</label><input id="${id}" name="${name}" value="${value}"${required ? html` required` : ''} aria-describedby="${id}-hint"><p class="hint" id="${id}-hint">${hint}</p>`;
}
