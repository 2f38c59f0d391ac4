import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncidentDraft } from './incident-view.js';
import type { MaintenanceDraft } from './maintenance-view.js';
import type { AdminSession } from './sessions.js';
import type { AnnouncementDraft } from './views.js';

/** A posted form, as the form parser gives it: a field sent twice is an array. */
export type Form = Readonly<Record<string, unknown>>;

/** A field sent once as text; undefined when missing or repeated. */
export function field(form: Form, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' ? value : undefined;
}

/** A field that may be sent several times (checkboxes): its texts, in order. */
export function fieldList(form: Form, name: string): string[] {
  const value = form[name];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((each): each is string => typeof each === 'string') : [];
}

/** Browsers send a textarea's line breaks as CRLF; they are stored as LF, as the API's usually are. */
export const lineBreaks = (text: string) => text.replace(/\r\n?/g, '\n');

/** What the operator typed into a refused form, shown again in it. */
export interface Drafts {
  announcement?: AnnouncementDraft;
  maintenance?: MaintenanceDraft;
  incident?: IncidentDraft;
}

/** Why a post was refused: the status, the reason shown in an alert, what to show again. */
export interface Refusal {
  status: number;
  text: string;
  drafts?: Drafts;
}

export type FormHandler = (
  request: FastifyRequest,
  reply: FastifyReply,
  session: AdminSession,
  form: Form,
) => Promise<FastifyReply>;

/** How a section of the console adds its forms. */
export interface ConsoleForms {
  /** A post of the signed-in console under `/admin`: refused unless from its page with the session's token. */
  post(path: string, handler: FormHandler): void;
  /** The console again, with why the post was refused (nothing was changed). */
  refuse(reply: FastifyReply, session: AdminSession, refusal: Refusal): Promise<FastifyReply>;
  /** Back to the console (303), which says once what was done. */
  done(reply: FastifyReply, session: AdminSession, text: string): FastifyReply;
}
