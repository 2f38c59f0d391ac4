import type { Health } from '../model/health.js';
import { escapeHtml } from './html.js';

export type Palette = Record<Health, string>;

/** Vigil's badge colours (spec §2.3), kept for /badge/color and /badge/icon. */
export const VIGIL_COLORS: Palette = { healthy: '#0EB033', sick: '#F18000', dead: '#E10000' };

/** The same hues, dark enough for white text to reach WCAG AA (4.5:1). */
export const TEXT_SAFE_COLORS: Palette = { healthy: '#0A7D24', sick: '#AD5C00', dead: '#C70000' };

const SVG_OPEN = 'xmlns="http://www.w3.org/2000/svg"';

/** White glyphs in a 20×20 box: a check mark, an exclamation mark, a cross. */
const GLYPHS: Record<Health, string> = {
  healthy:
    '<path d="M5.5 10.5l3 3 6-7" fill="none" stroke="#fff" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>',
  sick: '<path d="M10 4.8v6.4" stroke="#fff" stroke-width="2.4" stroke-linecap="round"/><circle cx="10" cy="14.9" r="1.4" fill="#fff"/>',
  dead: '<path d="M6.3 6.3l7.4 7.4M13.7 6.3l-7.4 7.4" stroke="#fff" stroke-width="2.2" stroke-linecap="round"/>',
};

/** Vigil's `color` badge: a flat 20×20 square. */
export function colorBadge(health: Health): string {
  return `<svg ${SVG_OPEN} width="20" height="20" viewBox="0 0 20 20" role="img" aria-label="${health}"><title>${health}</title><rect width="20" height="20" fill="${VIGIL_COLORS[health]}"/></svg>`;
}

/** Vigil's `icon` badge (and the page's status icons): a rounded square with a glyph. */
export function iconBadge(health: Health, palette: Palette = VIGIL_COLORS): string {
  return `<svg ${SVG_OPEN} width="20" height="20" viewBox="0 0 20 20" role="img" aria-label="${health}"><title>${health}</title><rect width="20" height="20" rx="2" fill="${palette[health]}"/>${GLYPHS[health]}</svg>`;
}

const CHAR_WIDTHS: Array<[RegExp, number]> = [
  [/[ijlI!|.,:;'`]/, 3.5],
  [/[frt()[\]{}\- ]/, 4.5],
  [/[mwMW@%]/, 10.5],
  [/[A-Z0-9#&]/, 7.5],
];

/** Verdana 11 px advance widths, roughly; `textLength` in the SVG absorbs the error. */
function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += CHAR_WIDTHS.find(([pattern]) => pattern.test(char))?.[1] ?? 6.6;
  return Math.ceil(width);
}

/** A labelled, shields.io-style badge: `label | health`. */
export function shieldBadge(label: string, health: Health): string {
  return labelledBadge(label, health, TEXT_SAFE_COLORS[health]);
}

/** A shields.io-style badge: `label` on grey, `message` on `color` (white text: pick a dark enough one). */
export function labelledBadge(label: string, message: string, color: string): string {
  const labelWidth = textWidth(label) + 12;
  const valueWidth = textWidth(message) + 12;
  const width = labelWidth + valueWidth;
  const text = (content: string, x: number, textLengthPx: number) =>
    `<text x="${x}" y="14" textLength="${textLengthPx - 12}" lengthAdjust="spacingAndGlyphs">${escapeHtml(content)}</text>`;
  const title = escapeHtml(`${label}: ${message}`);
  return `<svg ${SVG_OPEN} width="${width}" height="20" viewBox="0 0 ${width} 20" role="img" aria-label="${title}"><title>${title}</title><clipPath id="r"><rect width="${width}" height="20" rx="3"/></clipPath><g clip-path="url(#r)"><rect width="${labelWidth}" height="20" fill="#555"/><rect x="${labelWidth}" width="${valueWidth}" height="20" fill="${escapeHtml(color)}"/></g><g fill="#fff" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">${text(label, labelWidth / 2, labelWidth)}${text(message, labelWidth + valueWidth / 2, valueWidth)}</g></svg>`;
}
