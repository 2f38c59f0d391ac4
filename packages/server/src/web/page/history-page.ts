import type { IncidentReader } from '../../incidents/log.js';
import { newestFirst } from '../../incidents/types.js';
import type { MaintenanceView } from '../../maintenance/types.js';
import type { HealthModel } from '../../model/health-model.js';
import { html, type SafeHtml } from '../html.js';
import { incidentItem } from './incidents.js';
import { pastWindowItem } from './maintenance.js';
import type { PageTexts } from './texts.js';

/**
 * Where an entry stands in `/history`, latest first, then by id: its time is the one its source
 * orders by (an incident's start; a maintenance window's end, say). Ids are unique across sources
 * (UUIDs are).
 */
export interface HistoryCursor {
  atMs: number;
  id: string;
}

/** One line of `/history`: an `<li>`. */
export interface HistoryEntry extends HistoryCursor {
  html: SafeHtml;
}

/** Something `/history` lists (incidents, maintenance windows): its entries latest first, after `before`. */
export interface HistorySource {
  entries(query: HistoryQuery): Promise<HistoryEntry[]>;
}

export interface HistoryQuery {
  limit: number;
  before?: HistoryCursor;
  /** The path from the document to the status page's folder, for links. */
  root: string;
  texts: PageTexts;
}

const latestFirst = (a: HistoryCursor, b: HistoryCursor) =>
  newestFirst({ startedAtMs: a.atMs, id: a.id }, { startedAtMs: b.atMs, id: b.id });

/** Incidents of both origins, as the page's "Past incidents" lists them. */
export function incidentHistory(log: Pick<IncidentReader, 'list'>, model: HealthModel): HistorySource {
  return {
    async entries({ limit, before, root, texts }) {
      const stories = await log.list({
        limit,
        ...(before && { before: { startedAtMs: before.atMs, id: before.id } }),
      });
      return stories.map((story) => ({
        atMs: story.startedAtMs,
        id: story.id,
        html: incidentItem(story, model, texts, root),
      }));
    },
  };
}

/** Ended maintenance windows, placed by their end: the order the schedule lists them in. */
export function maintenanceHistory(
  maintenance: Pick<MaintenanceView, 'past'>,
  model: HealthModel,
): HistorySource {
  return {
    async entries({ limit, before, texts }) {
      const windows = await maintenance.past({
        limit,
        ...(before && { before: { endsAtMs: before.atMs, id: before.id } }),
      });
      return windows.map((window) => ({
        atMs: window.endsAtMs,
        id: window.id,
        html: pastWindowItem(window, model, texts),
      }));
    },
  };
}

/** One page of every source together, and where the next starts (undefined on the last). */
export async function historyEntries(
  sources: readonly HistorySource[],
  query: HistoryQuery,
): Promise<{ entries: HistoryEntry[]; next?: HistoryCursor }> {
  // One more than asked from each tells whether there is a next page.
  const found = (
    await Promise.all(sources.map((source) => source.entries({ ...query, limit: query.limit + 1 })))
  )
    .flat()
    .sort(latestFirst);
  const entries = found.slice(0, query.limit);
  const last = entries.at(-1);
  return found.length > query.limit && last
    ? { entries, next: { atMs: last.atMs, id: last.id } }
    : { entries };
}

/** The body of `/history`: the entries, a link to the next page, and one back to the newest. */
export function historyMain(
  entries: readonly HistoryEntry[],
  texts: PageTexts,
  links: { root: string; next?: string; first: boolean },
): SafeHtml {
  const { root } = links;
  return html`<section class="incidents history" aria-labelledby="history-title"><h1 class="incidents-title" id="history-title">${texts.historyTitle}</h1>${
    entries.length === 0
      ? html`<p class="muted">${texts.nothingRecorded}</p>`
      : html`<ol class="incident-list">${entries.map((entry) => entry.html)}</ol>`
  }<nav class="history-pages" aria-label="${texts.historyNavigation}">${
    !links.first && html`<a href="${root}history">${texts.newest}</a>`
  }${links.next !== undefined && html`<a href="${root}history?cursor=${links.next}" rel="next">${texts.older}</a>`}<a href="${root || './'}">${texts.statusPage}</a></nav></section>`;
}
