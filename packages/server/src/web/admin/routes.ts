import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AnnouncementsFullError } from '../../announcements/types.js';
import type { BrandingConfig } from '../../config/schema.js';
import type { IncidentLog } from '../../incidents/log.js';
import type { HealthModel } from '../../model/health-model.js';
import type { Clock } from '../../time/clock.js';
import type { AssetCatalog } from '../asset-catalog.js';
import { tokenMatcher } from '../auth.js';
import type { AuthThrottle } from '../auth-throttle.js';
import {
  type AnnouncementManager,
  type DeliveryLog,
  type IgnoreWindowControl,
  MANAGER_BODY_LIMIT_BYTES,
  type MaintenanceManager,
} from '../routes/manager.js';
import { contentSecurityPolicy, securityHeaders } from '../security.js';
import {
  ANNOUNCEMENT_SEVERITIES,
  type AnnouncementBody,
  announcementFromBody,
} from '../validation/announcement.js';
import { ADMIN_PATH, sessionCookie, sessionIdOf } from './cookie.js';
import { type ConsoleForms, type Form, type FormHandler, field, lineBreaks, type Refusal } from './forms.js';
import { incidentForms, incidentSection } from './incident-forms.js';
import { maintenanceForms, maintenanceSection } from './maintenance-forms.js';
import { isSameOrigin } from './same-origin.js';
import { type AdminSession, AdminSessions, type Notice } from './sessions.js';
import {
  type AnnouncementDraft,
  consolePage,
  type Frame,
  IGNORE_SECONDS_MAX,
  refusalPage,
  signInPage,
} from './views.js';

export interface AdminOptions {
  /** The manager token: the console's only credential. */
  token: string;
  /** The same per-address limit the token-checking APIs use. */
  throttle: AuthThrottle;
  announcements: AnnouncementManager;
  ignoreWindow: IgnoreWindowControl;
  /** Without it, no maintenance section. */
  maintenance?: MaintenanceManager;
  /** Without it, no incident section. */
  incidents?: IncidentLog;
  /** What maintenance windows and incidents may name. */
  model: HealthModel;
  /** Absent when `[notify]` is. */
  deliveries?: DeliveryLog;
  clock: Clock;
  /** `branding` is read on each request: a reload may replace it. */
  settings: { readonly branding: BrandingConfig };
  assets: () => AssetCatalog;
}

/** Deliveries the console lists; the manager API pages through the rest. */
const RECENT_DELIVERIES = 20;
const FORM = 'application/x-www-form-urlencoded';
const CROSS_SITE =
  'This form was not sent from this admin console (the CSRF check failed), so nothing was changed. ' +
  'Open the console again and resend the form from there.';

/** The console only frames itself, posts only to itself, and is never cached or indexed. */
const ADMIN_HEADERS: Record<string, string> = {
  ...securityHeaders(contentSecurityPolicy({ frameAncestors: ["'none'"], formAction: ["'self'"] }), [
    "'none'",
  ]),
  // Browsers send `Origin` with same-origin posts under this policy (the page's no-referrer hides it).
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  'X-Robots-Tag': 'noindex',
};

function isForm(request: FastifyRequest): boolean {
  return request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() === FORM;
}

/**
 * The admin console (docs/admin.md): sign-in with the manager token, then forms over the same
 * services the manager API uses. Every post must come from the console's own page (Origin check)
 * and carry the session's synchronizer token; a refused one changes nothing.
 */
export async function adminRoutes(app: FastifyInstance, options: AdminOptions): Promise<void> {
  const { announcements, ignoreWindow, clock, throttle } = options;
  const sessions = new AdminSessions({ clock });
  const tokenMatches = tokenMatcher(options.token);

  await app.register(formbody, { bodyLimit: MANAGER_BODY_LIMIT_BYTES });
  // Runs after the app's own onSend hook, replacing the page's policy with the console's.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(ADMIN_HEADERS);
    done(null, payload);
  });

  const frame = (): Frame => ({
    pageTitle: options.settings.branding.page_title,
    stylesheetUrls: ['page.css', 'admin.css'].map((name) => `/${options.assets().url(name)}`),
  });
  const send = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').send(body);
  const backToConsole = (reply: FastifyReply, session: AdminSession, notice: Notice) => {
    session.notice = notice;
    return reply.code(303).header('Location', ADMIN_PATH).send();
  };
  const showConsole = async (reply: FastifyReply, session: AdminSession, refusal?: Refusal) => {
    const notice = refusal ? { kind: 'problem' as const, text: refusal.text } : session.notice;
    session.notice = undefined;
    const deliveries = await options.deliveries?.listDeliveries({ limit: RECENT_DELIVERIES });
    const incidents =
      options.incidents &&
      (await incidentSection({ ...options, incidents: options.incidents }, refusal?.drafts?.incident));
    const page = consolePage({
      ...frame(),
      csrfToken: session.csrfToken,
      notice,
      announcements: announcements.list(),
      draft: refusal?.drafts?.announcement,
      ignoredSeconds: ignoreWindow.remainingSeconds(),
      deliveries,
      incidents,
      maintenance:
        options.maintenance &&
        maintenanceSection({ ...options, maintenance: options.maintenance }, refusal?.drafts?.maintenance),
    });
    return send(reply, refusal?.status ?? 200, page);
  };
  const refuseCrossSite = (reply: FastifyReply) =>
    send(reply, 403, refusalPage(frame(), 'Refused', CROSS_SITE));
  const refuseNonForm = (reply: FastifyReply) =>
    send(reply, 400, refusalPage(frame(), 'Refused', `The console takes only its own forms (${FORM}).`));

  /** A post of a signed-in console: from our page, with the session's token, else refused. */
  const signedIn =
    (handler: FormHandler) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      if (!isForm(request)) return refuseNonForm(reply);
      if (!isSameOrigin(request, options.settings.branding.page_url)) return refuseCrossSite(reply);
      const session = sessions.find(sessionIdOf(request));
      if (session === undefined) {
        return send(
          reply,
          401,
          signInPage(frame(), 'Your session has ended: sign in again. Nothing was changed.'),
        );
      }
      const form = (request.body ?? {}) as Form;
      if (!tokenMatcher(session.csrfToken)(field(form, 'csrf') ?? '')) return refuseCrossSite(reply);
      return handler(request, reply, session, form);
    };

  const forms: ConsoleForms = {
    post: (path, handler) => app.post(`${ADMIN_PATH}${path}`, signedIn(handler)),
    refuse: showConsole,
    done: (reply, session, text) => backToConsole(reply, session, { kind: 'done', text }),
  };

  app.get(ADMIN_PATH, async (request, reply) => {
    const session = sessions.find(sessionIdOf(request));
    return session === undefined ? send(reply, 200, signInPage(frame())) : showConsole(reply, session);
  });

  app.post(`${ADMIN_PATH}/sign-in`, async (request, reply) => {
    if (!isForm(request)) return refuseNonForm(reply);
    // No session yet to hold a token: the Origin check and SameSite=Strict stop sign-ins from other sites.
    if (!isSameOrigin(request, options.settings.branding.page_url)) return refuseCrossSite(reply);
    const retryAfterSeconds = throttle.retryAfterSeconds(request.ip);
    if (retryAfterSeconds > 0) {
      reply.header('Retry-After', String(retryAfterSeconds));
      const problem = `Too many failed sign-ins from this address: try again in ${retryAfterSeconds} s.`;
      return send(reply, 429, signInPage(frame(), problem));
    }
    if (!tokenMatches(field((request.body ?? {}) as Form, 'token') ?? '')) {
      throttle.recordFailure({ address: request.ip, method: request.method, route: `${ADMIN_PATH}/sign-in` });
      return send(reply, 403, signInPage(frame(), 'Wrong token: nothing was signed in.'));
    }
    // A fresh id at each sign-in: an id planted before it is worth nothing after.
    const previous = sessionIdOf(request);
    if (previous !== undefined) sessions.end(previous);
    const session = sessions.create();
    request.log.info({ address: request.ip }, `admin console: signed in from ${request.ip}`);
    return reply
      .code(303)
      .header('Set-Cookie', sessionCookie(request, session.id, sessions.maxAgeSeconds))
      .header('Location', ADMIN_PATH)
      .send();
  });

  forms.post('/sign-out', async (request, reply, session) => {
    sessions.end(session.id);
    return reply
      .code(303)
      .header('Set-Cookie', sessionCookie(request, '', 0))
      .header('Location', ADMIN_PATH)
      .send();
  });

  forms.post('/announcements', async (_request, reply, session, form) => {
    const draft = draftOf(form);
    const parsed = parseDraft(draft, clock.now());
    if ('error' in parsed)
      return forms.refuse(reply, session, {
        status: 400,
        text: parsed.error,
        drafts: { announcement: draft },
      });
    try {
      await announcements.add(parsed.fields);
    } catch (error) {
      if (error instanceof AnnouncementsFullError) {
        return forms.refuse(reply, session, {
          status: 409,
          text: error.message,
          drafts: { announcement: draft },
        });
      }
      throw error;
    }
    return forms.done(reply, session, `Published “${draft.title}”.`);
  });

  forms.post('/announcements/:announcementId', async (request, reply, session, form) => {
    const { announcementId } = request.params as { announcementId: string };
    const draft = draftOf(form);
    const parsed = parseDraft(draft, clock.now());
    if ('error' in parsed) return forms.refuse(reply, session, { status: 400, text: parsed.error });
    const updated = await announcements.update(announcementId, parsed.fields);
    if (updated === undefined) return forms.refuse(reply, session, UNKNOWN_ANNOUNCEMENT);
    return forms.done(reply, session, `Saved “${updated.title}”.`);
  });

  forms.post('/announcements/:announcementId/delete', async (request, reply, session) => {
    const { announcementId } = request.params as { announcementId: string };
    const title = announcements.list().find((each) => each.id === announcementId)?.title;
    if (title === undefined || !(await announcements.remove(announcementId))) {
      return forms.refuse(reply, session, UNKNOWN_ANNOUNCEMENT);
    }
    return forms.done(reply, session, `Deleted “${title}”.`);
  });

  if (options.incidents) incidentForms(forms, { ...options, incidents: options.incidents });
  if (options.maintenance) maintenanceForms(forms, { ...options, maintenance: options.maintenance });

  forms.post('/ignore-window', async (_request, reply, session, form) => {
    const text = field(form, 'seconds')?.trim() ?? '';
    const seconds = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
    if (!(seconds >= 1 && seconds <= IGNORE_SECONDS_MAX)) {
      const problem = `seconds must be a whole number from 1 to ${IGNORE_SECONDS_MAX}`;
      return forms.refuse(reply, session, { status: 400, text: problem });
    }
    await ignoreWindow.set(seconds);
    return forms.done(reply, session, `Reminders are ignored for ${seconds} s.`);
  });

  forms.post('/ignore-window/clear', async (_request, reply, session) => {
    await ignoreWindow.set(null);
    return forms.done(reply, session, 'Reminders are no longer ignored.');
  });
}

const UNKNOWN_ANNOUNCEMENT = {
  status: 404,
  text: 'That announcement is no longer on the page (deleted or expired): nothing was changed.',
};

/** The announcement form as sent. */
function draftOf(form: Form): AnnouncementDraft {
  return {
    title: field(form, 'title') ?? '',
    text: lineBreaks(field(form, 'text') ?? ''),
    severity: field(form, 'severity') ?? '',
    expiresAt: field(form, 'expires_at')?.trim() ?? '',
  };
}

/** The draft checked by the manager API's own rules; empty optional fields mean "none". */
function parseDraft(draft: AnnouncementDraft, nowMs: number) {
  const severity = ANNOUNCEMENT_SEVERITIES.find((each) => each === draft.severity);
  if (draft.severity !== '' && severity === undefined) {
    return { error: `severity must be one of ${ANNOUNCEMENT_SEVERITIES.join(', ')}, or none` };
  }
  const body: AnnouncementBody = {
    title: draft.title,
    text: draft.text,
    severity,
    expires_at: draft.expiresAt === '' ? undefined : draft.expiresAt,
  };
  return announcementFromBody(body, nowMs, '');
}
