import type { BrandingConfig } from '../../config/schema.js';
import type { Health } from '../../model/health.js';
import { formatClockTime } from '../../time/format.js';
import type { AssetUrl } from '../asset-catalog.js';
import { html, type SafeHtml } from '../html.js';
import { TEXTS } from './texts.js';
import { safeLinkUrl } from './urls.js';

/** The full-width coloured banner with Vigil's headline and refresh time. */
export function banner(health: Health, updatedAtMs: number | undefined): SafeHtml {
  const refreshed =
    updatedAtMs === undefined ? TEXTS.notRefreshed : TEXTS.refreshed(formatClockTime(updatedAtMs));
  return html`<aside class="banner is-${health}" aria-labelledby="banner-title"><div class="wrap"><h1 id="banner-title"><span class="glyph" aria-hidden="true"></span>${TEXTS.banner[health]}</h1><p class="banner-refreshed">${refreshed}</p></div></aside>`;
}

/** The general section: a large status icon, Vigil's explanation and the way to support. */
export function generalSection(
  health: Health,
  branding: BrandingConfig,
  precedesAnnouncements: boolean,
  assetUrl: AssetUrl,
): SafeHtml {
  const support = safeLinkUrl(branding.support_url);
  const supportSentence = support
    ? html`<a href="${support}">${TEXTS.contactSupportSentence}</a>`
    : TEXTS.contactSupportSentence;
  return html`<section class="general${precedesAnnouncements ? ' announcement-preceding' : ''}" aria-labelledby="general-title"><img class="general-icon" src="${assetUrl(`icon-${health}.svg`)}" alt="" width="42" height="42"><div><h2 id="general-title">${TEXTS.generalTitle[health]}</h2><p>${TEXTS.generalIntro}</p><p>${TEXTS.generalSupport[health]} ${supportSentence}</p></div></section>`;
}
