/** CSS colour syntaxes accepted from `logo_color`; anything else could break out of the rule. */
const SAFE_COLOR = /^(#[0-9a-f]{3,8}|[a-z]{3,30}|(rgb|rgba|hsl|hsla)\([\d\s.,%/deg-]{1,60}\))$/i;

function channel(hex: string): number {
  const value = Number.parseInt(hex, 16) / 255;
  return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of a #rgb or #rrggbb colour; undefined for other syntaxes. */
function luminance(color: string): number | undefined {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(color);
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  const [red, green, blue] = short ? short.slice(1).map((digit) => digit + digit) : (long?.slice(1) ?? []);
  if (red === undefined || green === undefined || blue === undefined) return undefined;
  return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue);
}

/**
 * The branding rules the stylesheet reads: the "Contact support" button takes `logo_color` (Vigil
 * sets it inline, which our CSP forbids), with whichever of white or near-black text reads better.
 */
export function brandStyles(logoColor: string): string {
  const color = logoColor.trim();
  if (!SAFE_COLOR.test(color)) return '';
  const light = luminance(color);
  // White wins below this luminance: the point where both contrasts are equal.
  const text = light !== undefined && light > 0.179 ? '#111' : '#fff';
  return `:root{--brand:${color};--brand-text:${text}}\n`;
}
