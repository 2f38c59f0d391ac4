import type { IncidentStatus, IncidentStory, NodeRef } from '../../incidents/types.js';
import type { HealthModel } from '../../model/health-model.js';
import { html, type SafeHtml } from '../html.js';
import { multiline } from './announcements.js';
import { timeOf } from './incidents.js';
import type { PageTexts } from './texts.js';

/** The permalink of an incident, relative to the status page's folder (`root`). */
export const incidentPath = (id: string, root = '') => `${root}incident/${encodeURIComponent(id)}`;

/** A node by its labels (its ids once it is no longer configured). */
export function nodeName(model: HealthModel, { serviceId, nodeId }: NodeRef): string {
  const service = model.services.get(serviceId);
  return `${service?.spec.label ?? serviceId} › ${service?.nodes.get(nodeId)?.spec.label ?? nodeId}`;
}

/** What a visitor reads as the incident's name: the operator's title, or the node it was detected on. */
export function storyTitle(story: IncidentStory, model: HealthModel, texts: PageTexts): string {
  if (story.title !== undefined) return story.title;
  const [node] = story.nodes;
  return node ? nodeName(model, node) : texts.serviceDisruption;
}

/** "Affects: …" with service and node labels; nothing when the incident names none. */
function affectedLine(story: IncidentStory, model: HealthModel, texts: PageTexts): SafeHtml | '' {
  const names = [
    ...story.services.map((id) => model.services.get(id)?.spec.label ?? id),
    ...story.nodes.map((node) => nodeName(model, node)),
  ].filter((name, index, all) => all.indexOf(name) === index);
  if (names.length === 0) return '';
  return html`<p class="incident-affects">${texts.affects} ${names.join(', ')}</p>`;
}

interface TimelineEntry {
  atMs: number;
  label: string;
  status?: IncidentStatus;
  message: string;
}

/** The updates, plus what Vigil TS saw for a detected incident: its start and its recovery. */
function timelineOf(story: IncidentStory, model: HealthModel, texts: PageTexts): TimelineEntry[] {
  const entries: TimelineEntry[] = story.updates.map(({ atMs, status, message }) => ({
    atMs,
    label: texts.incidentStatus[status],
    status,
    message,
  }));
  const { detected } = story;
  if (detected) {
    const message = texts.detectedMessage(storyTitle(story, model, texts), texts.health[detected.worst]);
    entries.push({ atMs: story.startedAtMs, label: texts.detected, message });
    if (story.endedAtMs !== undefined) {
      entries.push({ atMs: story.endedAtMs, label: texts.recovered, message: texts.recoveredMessage });
    }
  }
  // Newest first; entries at the same time keep the order they were added in, reversed.
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => b.entry.atMs - a.entry.atMs || b.index - a.index)
    .map(({ entry }) => entry);
}

/** Where an incident stands: its latest status, or for a detected one nobody annotated, ongoing or over. */
function phaseOf(story: IncidentStory, texts: PageTexts): { phase: IncidentStatus; label: string } {
  if (story.status !== undefined) return { phase: story.status, label: texts.incidentStatus[story.status] };
  return story.endedAtMs === undefined
    ? { phase: 'investigating', label: texts.incidentOngoing }
    : { phase: 'resolved', label: texts.recovered };
}

/**
 * One incident with its timeline (newest first: time, status, message), everything escaped.
 * `heading` is the level of its title in the document; `link` makes the title its permalink.
 */
export function incidentStory(
  story: IncidentStory,
  model: HealthModel,
  texts: PageTexts,
  options: { heading: 'h1' | 'h3'; root: string; link: boolean },
): SafeHtml {
  const titleId = `incident-${story.id}-title`;
  const title = storyTitle(story, model, texts);
  const heading = options.link ? html`<a href="${incidentPath(story.id, options.root)}">${title}</a>` : title;
  const entries = timelineOf(story, model, texts).map(
    (entry) =>
      html`<li class="timeline-entry${entry.status ? html` is-${entry.status}` : ''}"><p class="timeline-head"><strong>${entry.label}</strong> <span class="muted">${timeOf(entry.atMs)}</span></p><p class="timeline-message">${multiline(entry.message)}</p></li>`,
  );
  const headingHtml =
    options.heading === 'h1'
      ? html`<h1 class="incident-story-title" id="${titleId}">${heading}</h1>`
      : html`<h3 class="incident-story-title" id="${titleId}">${heading}</h3>`;
  const { phase, label } = phaseOf(story, texts);
  return html`<article class="incident-story is-${phase}" aria-labelledby="${titleId}">${headingHtml}<p class="incident-meta"><span class="incident-state is-${phase}">${label}</span> <span class="muted">${texts.since} ${timeOf(story.startedAtMs)}</span></p>${affectedLine(story, model, texts)}<ol class="incident-timeline" aria-label="${texts.updates}">${entries}</ol></article>`;
}

/** Active incidents at the top of the page; nothing at all when there are none. */
export function activeIncidentsSection(
  stories: readonly IncidentStory[],
  model: HealthModel,
  texts: PageTexts,
): SafeHtml | '' {
  if (stories.length === 0) return '';
  const articles = stories.map((story) =>
    incidentStory(story, model, texts, { heading: 'h3', root: '', link: true }),
  );
  return html`<section class="active-incidents" aria-labelledby="active-incidents-title"><h2 class="active-incidents-title" id="active-incidents-title">${texts.activeIncidents}</h2>${articles}</section>`;
}
