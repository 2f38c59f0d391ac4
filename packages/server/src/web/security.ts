import { createHash } from 'node:crypto';

/** Directives an operator may widen, e.g. for an analytics snippet in custom_html. */
export type WidenableDirective =
  | 'script-src'
  | 'style-src'
  | 'img-src'
  | 'connect-src'
  | 'font-src'
  | 'frame-src';
export type ExtraCspSources = Partial<Record<WidenableDirective, readonly string[]>>;

/**
 * Everything from our own origin only; images may be the operator's logo on any https host or a
 * `data:` URL. Any site may frame the page, as Vigil's (people embed it in dashboards and help
 * centres), unless `[branding] frame_ancestors` narrows it.
 */
const BASE_POLICY: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'https:', 'data:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-ancestors': ['*'],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

export interface PolicyOptions {
  /** The operator's `custom_html`, whose inline blocks are allowed by hash. */
  customHtml?: string;
  /** Who may frame the page; every site when absent. */
  frameAncestors?: readonly string[];
  /** Where the document's forms may post; nowhere when absent. */
  formAction?: readonly string[];
  /** Inline scripts of our own, allowed by hash. */
  inlineScripts?: readonly string[];
  extra?: ExtraCspSources;
}

/**
 * The Content-Security-Policy for every response. custom_html is the operator's own markup, so its
 * inline <script>/<style> blocks are allowed by hash and its external scripts and stylesheets by URL:
 * a Vigil config with an analytics snippet keeps working, and nothing else inline ever runs.
 */
export function contentSecurityPolicy(options: PolicyOptions = {}): string {
  const policy = structuredClone(BASE_POLICY);
  const add = (directive: string, source: string) => {
    const sources = policy[directive] ?? [];
    if (!sources.includes(source)) sources.push(source);
    policy[directive] = sources;
  };
  for (const script of options.inlineScripts ?? []) add('script-src', sha256Source(script));
  for (const element of customHtmlElements(options.customHtml ?? '')) {
    if (element.inline !== undefined) add(`${element.kind}-src`, sha256Source(element.inline));
    if (element.url !== undefined) add(`${element.kind}-src`, element.url);
  }
  for (const [directive, sources] of Object.entries(options.extra ?? {})) {
    for (const source of sources) add(directive, source);
  }
  if (options.frameAncestors !== undefined) policy['frame-ancestors'] = [...options.frameAncestors];
  if (options.formAction !== undefined) policy['form-action'] = [...options.formAction];
  return Object.entries(policy)
    .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
    .join('; ');
}

/** X-Frame-Options for browsers without CSP 3, where it can say the same as `frame_ancestors`. */
const FRAME_OPTIONS: Record<string, string> = { "'none'": 'DENY', "'self'": 'SAMEORIGIN' };

export function securityHeaders(
  contentSecurityPolicyValue: string,
  frameAncestors?: readonly string[],
): Record<string, string> {
  const frameOptions = frameAncestors?.length === 1 ? FRAME_OPTIONS[frameAncestors[0] ?? ''] : undefined;
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...(frameOptions && { 'X-Frame-Options': frameOptions }),
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
    'Content-Security-Policy': contentSecurityPolicyValue,
  };
}

interface HeadElement {
  kind: 'script' | 'style';
  inline?: string;
  url?: string;
}

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const STYLE = /<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi;
const STYLESHEET_LINK = /<link\b(?=[^>]*\brel\s*=\s*["']?stylesheet)([^>]*)>/gi;

/** A light scan of trusted markup: a tag it misses is only blocked by the policy, never let through. */
function customHtmlElements(markup: string): HeadElement[] {
  const elements: HeadElement[] = [];
  for (const [, attributes = '', body = ''] of markup.matchAll(SCRIPT)) {
    const src = attribute(attributes, 'src');
    if (src === undefined) elements.push({ kind: 'script', inline: body });
    else elements.push({ kind: 'script', url: sourceUrl(src) });
  }
  for (const [, body = ''] of markup.matchAll(STYLE)) elements.push({ kind: 'style', inline: body });
  for (const [, attributes = ''] of markup.matchAll(STYLESHEET_LINK)) {
    const href = attribute(attributes, 'href');
    if (href !== undefined) elements.push({ kind: 'style', url: sourceUrl(href) });
  }
  return elements;
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attributes);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

/** An absolute http(s) URL that is safe inside the header (no spaces, `;` or `,`); else undefined. */
function sourceUrl(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return /^[^\s;,'"]+$/.test(url.href) ? url.href : undefined;
}

function sha256Source(content: string): string {
  return `'sha256-${createHash('sha256').update(content).digest('base64')}'`;
}
