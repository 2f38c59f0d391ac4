import type { IncidentStory } from '../../incidents/types.js';
import type { HealthModel } from '../../model/health-model.js';
import type { Incident } from '../../store/types.js';
import { formatAnnouncementDate, formatClockTime } from '../../time/format.js';
import { duration } from '../history/uptime-bar.js';
import { html, type SafeHtml } from '../html.js';
import { incidentPath, storyTitle } from './incident-story.js';
import type { PageTexts } from './texts.js';

/** Replica ids listed per incident; the rest are counted. */
const REPLICAS_SHOWN = 5;

/**
 * "Past incidents", newest first, at the bottom of the page: declared ones by their title and
 * status, detected ones by their node and worst state, each linking to its permalink, then a link
 * to `/history`. Replica ids (often private addresses) appear only for nodes with
 * `reveal_replica_name`, as everywhere on the page; other incidents say how many replicas failed.
 * A node no longer configured shows by its ids.
 */
export function incidentsSection(
  stories: readonly IncidentStory[],
  model: HealthModel,
  texts: PageTexts,
): SafeHtml {
  const items = stories.map((story) => incidentItem(story, model, texts));
  return html`<section class="incidents" aria-labelledby="incidents-title"><h2 class="incidents-title" id="incidents-title">${texts.pastIncidents}</h2>${
    items.length === 0
      ? html`<p class="muted">${texts.noIncidents}</p>`
      : html`<ol class="incident-list">${items}</ol>`
  }<p class="incidents-more"><a href="history">${texts.allIncidents}</a></p></section>`;
}

/** One line of a list of incidents, linking to its permalink (relative to `root`). */
export function incidentItem(
  story: IncidentStory,
  model: HealthModel,
  texts: PageTexts,
  root = '',
): SafeHtml {
  const { detected } = story;
  const node = detected && model.services.get(detected.serviceId)?.nodes.get(detected.nodeId);
  const start = story.startedAtMs;
  const end = story.endedAtMs;
  const badge = story.status
    ? html`<span class="incident-worst is-${story.status}">${texts.incidentStatus[story.status]}</span>`
    : detected && html`<span class="incident-worst">${texts.worst[detected.worst]}</span>`;
  return html`<li class="incident is-${detected?.worst ?? 'declared'}"><p class="incident-head">${badge} <a href="${incidentPath(story.id, root)}"><strong>${storyTitle(story, model, texts)}</strong></a></p><p class="incident-time">${timeOf(start)} – ${
    end === undefined
      ? html`<strong>${texts.ongoing}</strong>`
      : html`${timeOf(end, sameUtcDay(start, end))} <span class="muted">(${duration((end - start) / 1000, texts.dayUnit)})</span>`
  }</p>${detected && replicasLine(detected, node?.spec.revealReplicaName ?? false, texts)}</li>`;
}

/** Vigil's date format; an end on the day it started needs only the time. */
export function timeOf(ms: number, timeOnly = false): SafeHtml {
  return html`<time datetime="${new Date(ms).toISOString()}">${timeOnly ? formatClockTime(ms) : formatAnnouncementDate(ms)}</time>`;
}

const sameUtcDay = (a: number, b: number) => Math.floor(a / 86_400_000) === Math.floor(b / 86_400_000);

function replicasLine(incident: Incident, reveal: boolean, texts: PageTexts): SafeHtml | '' {
  const total = incident.replicas.length;
  if (total === 0) return '';
  if (!reveal) return html`<p class="muted">${texts.replicasAffected(total)}</p>`;
  // Stored as `service:node:replica`; a replica id may itself hold colons (URLs).
  const ids = incident.replicas.slice(0, REPLICAS_SHOWN).map((path) => path.split(':').slice(2).join(':'));
  const more = total - ids.length;
  return html`<p class="muted">${texts.replicasLine} ${ids.map((id, index) => html`${index > 0 && ', '}<code>${id}</code>`)}${
    more > 0 && texts.andMore(more)
  }</p>`;
}
