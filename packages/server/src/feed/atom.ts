import type { BrandingConfig } from '../config/schema.js';
import { VERSION } from '../version.js';
import { type FeedEntry, nameBasedUrn } from './entry.js';
import { xmlText } from './xml.js';

/** Entries the feed holds at most: readers poll it, and only the recent past is news. */
export const FEED_ENTRIES_MAX = 50;

export const ATOM_MEDIA_TYPE = 'application/atom+xml; charset=utf-8';

/** Where the feed is served, relative to the page. */
export const FEED_PATH = 'feed.atom';

type FeedBranding = Pick<BrandingConfig, 'page_title' | 'page_url' | 'company_name' | 'website_url'>;

/** An absolute URL under the page URL (which may have a sub-path). */
export function pageLink(pageUrl: string, path = ''): string {
  const base = pageUrl.endsWith('/') ? pageUrl : `${pageUrl}/`;
  return new URL(path, base).href;
}

const time = (ms: number) => new Date(ms).toISOString();

/**
 * The Atom document (RFC 4287) of the given entries, newest first. The feed's id derives from the
 * page URL, so it stays the same across restarts and differs between status pages.
 */
export function renderAtom(branding: FeedBranding, entries: readonly FeedEntry[], nowMs: number): string {
  const updatedMs = entries.reduce((latest, entry) => Math.max(latest, entry.updatedMs), 0) || nowMs;
  const page = pageLink(branding.page_url);
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `<id>${nameBasedUrn(`feed:${page}`)}</id>`,
    `<title type="text">${xmlText(branding.page_title)}</title>`,
    `<subtitle type="text">${xmlText(`Incidents, maintenance and announcements of ${branding.company_name}`)}</subtitle>`,
    `<updated>${time(updatedMs)}</updated>`,
    `<author><name>${xmlText(branding.company_name)}</name><uri>${xmlText(branding.website_url)}</uri></author>`,
    `<link rel="self" type="application/atom+xml" href="${xmlText(pageLink(page, FEED_PATH))}"/>`,
    `<link rel="alternate" type="text/html" href="${xmlText(page)}"/>`,
    `<generator version="${xmlText(VERSION)}">Vigil TS</generator>`,
    ...entries.map((entry) => renderEntry(page, entry)),
    '</feed>',
    '',
  ].join('\n');
}

function renderEntry(page: string, entry: FeedEntry): string {
  return [
    '<entry>',
    `<id>${xmlText(entry.id)}</id>`,
    `<title type="text">${xmlText(entry.title)}</title>`,
    `<published>${time(entry.publishedMs)}</published>`,
    `<updated>${time(entry.updatedMs)}</updated>`,
    `<link rel="alternate" type="text/html" href="${xmlText(pageLink(page, entry.path ?? ''))}"/>`,
    `<category term="${entry.kind}"/>`,
    `<content type="text">${xmlText(entry.text)}</content>`,
    '</entry>',
  ].join('\n');
}
