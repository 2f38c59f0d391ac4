import type { BrandingConfig } from '../../config/schema.js';
import type { Health } from '../../model/health.js';
import { formatClockTime } from '../../time/format.js';
import type { AssetUrl } from '../asset-catalog.js';
import { html, type SafeHtml } from '../html.js';
import type { PageTexts } from './texts.js';
import { safeLinkUrl } from './urls.js';

/**
 * The full-width coloured banner with Vigil's headline and the time the page was produced, or "not
 * yet refreshed" before the first observation (Vigil's aggregator stamps its page the same way).
 */
export function banner(health: Health, refreshedAtMs: number | undefined, texts: PageTexts): SafeHtml {
  const refreshed =
    refreshedAtMs === undefined ? texts.notRefreshed : texts.refreshed(formatClockTime(refreshedAtMs));
  return html`<aside class="banner is-${health} status-${health}-background" aria-labelledby="banner-title"><div class="wrap wrapper"><h1 id="banner-title"><span class="glyph" aria-hidden="true"></span>${texts.banner[health]}</h1><p class="banner-refreshed">${refreshed}</p></div></aside>`;
}

/** The general section: a large status icon, Vigil's explanation and the way to support. */
export function generalSection(
  health: Health,
  branding: BrandingConfig,
  precedesAnnouncements: boolean,
  assetUrl: AssetUrl,
  texts: PageTexts,
): SafeHtml {
  const support = safeLinkUrl(branding.support_url);
  const supportSentence = support
    ? html`<a href="${support}">${texts.contactSupportSentence}</a>`
    : texts.contactSupportSentence;
  return html`<section class="general status-${health}-background-before${precedesAnnouncements ? ' announcement-preceding' : ''}" aria-labelledby="general-title"><img class="general-icon badge badge-large badge-status-${health}" src="${assetUrl(`icon-${health}.svg`)}" alt="" width="42" height="42"><div><h2 id="general-title">${texts.generalTitle[health]}</h2><p>${texts.generalIntro}</p><p>${texts.generalSupport[health]} ${supportSentence}</p></div></section>`;
}
