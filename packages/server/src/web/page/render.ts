import { extname } from 'node:path';
import type { Announcement } from '../../announcements/types.js';
import type { BrandingConfig } from '../../config/schema.js';
import { FEED_PATH } from '../../feed/atom.js';
import type { Health } from '../../model/health.js';
import type { HealthModel } from '../../model/health-model.js';
import type { AssetUrl } from '../asset-catalog.js';
import { html, SafeHtml } from '../html.js';
import { announcementsSection } from './announcements.js';
import { PageFragments } from './fragments.js';
import type { HistoryView } from './history.js';
import { maintenanceSection, type PageMaintenance } from './maintenance.js';
import { banner, generalSection } from './summary.js';
import { PAGE_TEXTS, type PageTexts } from './texts.js';
import { pageImageUrl, safeLinkUrl } from './urls.js';

export interface PageInput {
  model: HealthModel;
  /** Oldest first, as the source lists them. */
  announcements: readonly Announcement[];
  branding: BrandingConfig;
  nowMs: number;
  assetUrl: AssetUrl;
  /** The store's history, once read; the page has none without a store. */
  history?: HistoryView;
  /** Maintenance windows; the page shows none without. */
  maintenance?: PageMaintenance;
  /**
   * The services' sections, when kept up to date incrementally (`PageFragments`, as the page cache
   * does); rendered whole from the model when absent.
   */
  sections?: SafeHtml;
}

/**
 * Stands for the render version in the output; the cache swaps in the real one, which depends on
 * the rest of the output. It is the document's first attribute, ahead of any configured content.
 */
export const VERSION_SLOT = '{{render-version}}';

const ICON_TYPES: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
};

/** Vigil's page global, set inline before custom_html; one fixed text per status, so it can be hashed. */
export function statusGlobalScript(health: Health): string {
  return `window.STATUS_GENERAL = "${health}";`;
}

/** The media type of an image URL: a `data:` URL's own, else guessed from the file extension. */
function imageType(url: string): string | undefined {
  const parsed = new URL(url);
  if (parsed.protocol === 'data:') return /^image\/[\w.+-]+/i.exec(parsed.pathname)?.[0];
  return ICON_TYPES[extname(parsed.pathname).toLowerCase()];
}

/** How a document reaches the status page's folder: '' from the page itself, `../../../` from a node's page. */
export interface DocumentPlace {
  root: string;
  assetUrl: AssetUrl;
  texts: PageTexts;
}

/** A `./` URL (relative to the status page, from `pageImageUrl`) made relative to the document; others unchanged. */
function fromRoot(root: string, url: string): string {
  return root !== '' && url.startsWith('./') ? root + url.slice(2) : url;
}

/**
 * The `<head>` of every page document: title, icons, stylesheet, scripts (`live.js` only on the
 * status page, which it refreshes), Vigil's status global and the operator's `custom_html`.
 */
export function documentHead(
  branding: BrandingConfig,
  health: Health,
  place: DocumentPlace,
  options: { title: string; scripts: readonly string[] },
): SafeHtml {
  const { root, assetUrl } = place;
  const iconUrl = pageImageUrl(branding.icon_url, branding.page_url);
  const icon = iconUrl && fromRoot(root, iconUrl);
  const iconAbsolute = safeLinkUrl(branding.icon_url);
  const iconType = imageType(branding.icon_url);
  return html`<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${options.title}</title>${
    icon &&
    html`<link rel="icon" href="${icon}"${iconType ? html` type="${iconType}"` : ''}><link rel="apple-touch-icon" href="${icon}">`
  }<meta name="msapplication-TileColor" content="${branding.icon_color}">${
    iconAbsolute &&
    html`<meta name="msapplication-TileImage" content="${iconAbsolute}"><meta property="og:image" content="${iconAbsolute}">`
  }<link rel="alternate" type="application/atom+xml" title="${branding.page_title}" href="${root}${FEED_PATH}"><link rel="stylesheet" href="${root}${assetUrl('page.css')}">${options.scripts.map(
    (script) => html`<script src="${root}${assetUrl(script)}" defer></script>`,
  )}${
    // Before custom_html, as in Vigil, whose customisations read it; allowed by hash (security.ts).
    new SafeHtml(`<script>${statusGlobalScript(health)}</script>`)
  }<noscript><meta http-equiv="refresh" content="60"></noscript>${
    // The operator's own markup, raw on purpose (spec §7.2); security.ts allows its inline blocks by hash.
    branding.custom_html && new SafeHtml(branding.custom_html)
  }</head>`;
}

export function header(branding: BrandingConfig, place: DocumentPlace): SafeHtml {
  const { root, texts } = place;
  const logoUrl = pageImageUrl(branding.logo_url, branding.page_url);
  const logo = logoUrl && fromRoot(root, logoUrl);
  const support = safeLinkUrl(branding.support_url);
  const website = safeLinkUrl(branding.website_url);
  return html`<header class="site-header"><div class="wrap wrapper"><a class="brand logo" href="${root || './'}">${
    logo && html`<img class="brand-logo" src="${logo}" alt="${branding.company_name}" height="30">`
  }<span class="brand-label logo-label">${texts.status}</span></a><nav aria-label="${branding.company_name}">${
    support && html`<a class="support-button nav-support" href="${support}">${texts.contactSupport}</a>`
  }${
    website &&
    html`<a class="website-link nav-website" href="${website}" target="_blank" rel="noopener noreferrer">${texts.goToWebsite}</a>`
  }</nav></div><p class="sr" id="live-status" aria-live="polite"></p></header>`;
}

export function footer(branding: BrandingConfig, nowMs: number, texts: PageTexts): SafeHtml {
  return html`<footer class="site-footer"><div class="wrap wrapper"><p>© ${new Date(nowMs).getUTCFullYear()} ${branding.company_name}</p><p>${texts.poweredBy}</p></div></footer>`;
}

/** The whole status page (spec §7.2) as one HTML string, with `VERSION_SLOT` still in it. */
export function renderPage(input: PageInput): string {
  const { model, branding, announcements, assetUrl, history, maintenance } = input;
  const health = model.pageHealth;
  const texts = PAGE_TEXTS[branding.language];
  const place: DocumentPlace = { root: '', assetUrl, texts };
  const services =
    input.sections ?? new PageFragments(model).sections(() => ({ texts, assetUrl, history, maintenance }));
  const headPart = documentHead(branding, health, place, {
    title: branding.page_title,
    scripts: ['live.js', 'local-time.js'],
  });
  return html`<!doctype html>
<html lang="${texts.lang}" data-version="${VERSION_SLOT}" data-status="${health}">${headPart}<body>${header(branding, place)}${banner(health, model.updatedAtMs === undefined ? undefined : input.nowMs, texts)}<main class="wrap wrapper">${generalSection(health, branding, announcements.length > 0, assetUrl, texts)}${history?.activeIncidents}${announcementsSection(announcements, texts)}${maintenanceSection(maintenance, model, texts)}${services}${history?.incidents}</main>${footer(branding, input.nowMs, texts)}</body></html>
`.value;
}

export interface SubpageInput {
  branding: BrandingConfig;
  /** The page's state, for Vigil's `window.STATUS_GENERAL`, which custom_html scripts may read. */
  health: Health;
  nowMs: number;
  assetUrl: AssetUrl;
  /** The path from this document to the status page's folder. */
  root: string;
  /** Before the page's title. */
  title: string;
  /** In the texts of the branding's language. */
  main: SafeHtml;
}

/**
 * A document under the status page (an incident's permalink, `/history`): the page's head, header
 * and footer around `main`, times in the reader's zone, no live updates (they follow the status page).
 */
export function renderSubpage(input: SubpageInput): string {
  const { branding, health } = input;
  const texts = PAGE_TEXTS[branding.language];
  const place: DocumentPlace = { root: input.root, assetUrl: input.assetUrl, texts };
  const headPart = documentHead(branding, health, place, {
    title: `${input.title} – ${branding.page_title}`,
    scripts: ['local-time.js'],
  });
  return html`<!doctype html>
<html lang="${texts.lang}" data-status="${health}">${headPart}<body>${header(branding, place)}<main class="wrap wrapper">${input.main}</main>${footer(branding, input.nowMs, texts)}</body></html>
`.value;
}
