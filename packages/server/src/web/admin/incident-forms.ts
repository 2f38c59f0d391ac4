import { IncidentLimitError, type IncidentLog } from '../../incidents/log.js';
import { INCIDENT_STATUSES } from '../../incidents/types.js';
import type { HealthModel } from '../../model/health-model.js';
import { storyTitle } from '../page/incident-story.js';
import { PAGE_TEXTS } from '../page/texts.js';
import { affectedOf } from '../routes/manager-incidents.js';
import { INCIDENT_ID_PATTERN, TEXT_RULE, TITLE_RULE, textProblem } from '../validation/fields.js';
import { type ConsoleForms, field, fieldList, lineBreaks } from './forms.js';
import type { IncidentDraft, IncidentSection } from './incident-view.js';
import { configuredServices } from './parts.js';

export interface IncidentFormOptions {
  incidents: IncidentLog;
  /** What an incident may name, and the names of detected ones. */
  model: HealthModel;
}

/** The console speaks English, as the manager API does. */
const TEXTS = PAGE_TEXTS.en;

const statusOf = (value: string | undefined) => INCIDENT_STATUSES.find((status) => status === value);
const STATUS_PROBLEM = `status must be one of ${INCIDENT_STATUSES.join(', ')}`;

/** The section's content: the open incidents and what a new one may name. */
export async function incidentSection(
  options: IncidentFormOptions,
  draft?: IncidentDraft,
): Promise<IncidentSection> {
  const { incidents, model } = options;
  const active = (await incidents.active()).map((story) => ({
    story,
    title: storyTitle(story, model, TEXTS),
  }));
  return { active, targets: configuredServices(model), draft };
}

/** Declare an incident and post updates, with the manager API's checks. */
export function incidentForms(forms: ConsoleForms, options: IncidentFormOptions): void {
  const { incidents, model } = options;

  forms.post('/incidents', async (_request, reply, session, form) => {
    const draft: IncidentDraft = {
      title: field(form, 'title') ?? '',
      status: field(form, 'status') ?? '',
      message: lineBreaks(field(form, 'message') ?? ''),
      services: fieldList(form, 'services'),
      nodes: fieldList(form, 'nodes'),
    };
    const refuse = (status: number, text: string) =>
      forms.refuse(reply, session, { status, text, drafts: { incident: draft } });
    const status = statusOf(draft.status);
    if (status === undefined) return refuse(400, STATUS_PROBLEM);
    const problem =
      textProblem('title', draft.title, TITLE_RULE) ?? textProblem('message', draft.message, TEXT_RULE);
    if (problem !== undefined) return refuse(400, problem);
    const affected = affectedOf(model, { services: [...draft.services], nodes: [...draft.nodes] });
    // The manager API's wording names JSON fields (`body/services/0`); a form's are just `services`.
    if (typeof affected === 'string') return refuse(400, affected.replaceAll('body/', ''));
    try {
      await incidents.declare({ title: draft.title, message: draft.message, status, ...affected });
    } catch (error) {
      if (error instanceof IncidentLimitError) return refuse(409, error.message);
      throw error;
    }
    return forms.done(reply, session, `Declared “${draft.title}”.`);
  });

  forms.post('/incidents/:incidentId/update', async (request, reply, session, form) => {
    const { incidentId } = request.params as { incidentId: string };
    const status = statusOf(field(form, 'status'));
    if (status === undefined) return forms.refuse(reply, session, { status: 400, text: STATUS_PROBLEM });
    const message = lineBreaks(field(form, 'message') ?? '');
    const problem = textProblem('message', message, TEXT_RULE);
    if (problem !== undefined) return forms.refuse(reply, session, { status: 400, text: problem });
    try {
      const update = INCIDENT_ID_PATTERN.test(incidentId)
        ? await incidents.update(incidentId, { status, message })
        : undefined;
      if (update === undefined) {
        return forms.refuse(reply, session, {
          status: 404,
          text: 'That incident is unknown: nothing was changed.',
        });
      }
    } catch (error) {
      if (error instanceof IncidentLimitError)
        return forms.refuse(reply, session, { status: 409, text: error.message });
      throw error;
    }
    return forms.done(reply, session, `Posted a “${status}” update.`);
  });
}
