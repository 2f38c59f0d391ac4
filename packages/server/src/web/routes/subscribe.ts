import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BrandingConfig } from '../../config/schema.js';
import { FEED_PATH, pageLink } from '../../feed/atom.js';
import type { EmailSignup, LinkOutcome } from '../../subscriptions/email-signup.js';
import { html, type SafeHtml } from '../html.js';

export interface SubscribeOptions {
  /** Absent when email subscriptions are off: every route answers 404. */
  signup: EmailSignup | undefined;
  /** `branding` is read on each request: a reload may replace it. */
  settings: { readonly branding: BrandingConfig };
}

/** An address, or an id and a token: a sign-up or a link's form needs no more. */
const BODY_LIMIT_BYTES = 1024;

const FORM = 'application/x-www-form-urlencoded';

const linkFields = {
  type: 'object',
  properties: { id: { type: 'string', maxLength: 64 }, token: { type: 'string', maxLength: 128 } },
} as const;

type LinkFields = { id?: string; token?: string };

const TEXTS: Record<
  'confirm' | 'unsubscribe',
  Record<LinkOutcome, string> & { ask: string; button: string }
> = {
  confirm: {
    ask: 'Confirm that this address should receive the incidents, maintenance and announcements of this status page.',
    button: 'Confirm my subscription',
    done: 'Your subscription is confirmed.',
    already: 'This subscription was already confirmed.',
    unknown: 'This link is unknown or has expired: subscribe again.',
  },
  unsubscribe: {
    ask: 'Stop the mails of this status page to this address.',
    button: 'Unsubscribe',
    done: 'You are unsubscribed: no more mails will be sent to this address.',
    already: 'This address was already unsubscribed.',
    unknown: 'This link is unknown.',
  },
};

/**
 * Public email sign-up with double opt-in (docs/subscriptions.md): `POST /subscribe` (form or
 * JSON) mails a confirmation link; the link's page confirms with a POST, so a mail scanner that
 * follows links confirms nothing. `POST /unsubscribe` is also RFC 8058's one-click target.
 */
export async function subscribeRoutes(app: FastifyInstance, options: SubscribeOptions) {
  const { signup, settings } = options;
  // Forms are parsed here only: nothing else in Vigil TS takes them.
  app.addContentTypeParser(
    FORM,
    { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  // These pages post their own forms, which the page-wide policy (form-action 'none') forbids.
  app.addHook('onSend', (_request, reply, payload, done) => {
    const policy = reply.getHeader('content-security-policy');
    if (typeof policy === 'string') {
      reply.header('Content-Security-Policy', policy.replace("form-action 'none'", "form-action 'self'"));
    }
    done(null, payload);
  });

  const off = (reply: FastifyReply) =>
    reply.code(404).send({ error: 'email subscriptions are not enabled on this status page' });
  const page = (reply: FastifyReply, status: number, heading: string, body: SafeHtml | string) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .send(document(settings.branding, heading, body).value);

  app.get('/subscribe', async (_request, reply) => {
    if (!signup) return off(reply);
    return page(
      reply,
      200,
      'Subscribe',
      html`<p>Receive the incidents, maintenance and announcements of ${settings.branding.company_name} by mail.</p><form method="post"><label>Email address <input type="email" name="email" required maxlength="254" autocomplete="email"></label> <button type="submit">Subscribe</button></form><p><a href="${pageLink(settings.branding.page_url, FEED_PATH)}">Atom feed</a></p>`,
    );
  });

  app.post<{ Body: { email: string } }>(
    '/subscribe',
    {
      bodyLimit: BODY_LIMIT_BYTES,
      schema: { body: { type: 'object', required: ['email'], properties: { email: { type: 'string' } } } },
    },
    async (request, reply) => {
      if (!signup) return off(reply);
      const outcome = await signup.subscribe(request.body.email, request.ip);
      if (isForm(request)) {
        return page(
          reply,
          outcome.status,
          'Subscribe',
          'message' in outcome ? `Thank you: ${outcome.message}.` : `Sorry: ${outcome.error}.`,
        );
      }
      return reply
        .code(outcome.status)
        .send(
          'message' in outcome ? { status: 'pending', message: outcome.message } : { error: outcome.error },
        );
    },
  );

  for (const purpose of ['confirm', 'unsubscribe'] as const) {
    const path = purpose === 'confirm' ? '/subscribe/confirm' : '/unsubscribe';

    app.get<{ Querystring: LinkFields }>(
      path,
      { schema: { querystring: linkFields } },
      async (_request, reply) => {
        if (!signup) return off(reply);
        const texts = TEXTS[purpose];
        // The link's own query carries id and token, so RFC 8058's POST to the same URL works too.
        return page(
          reply,
          200,
          texts.button,
          // No action: the form posts to this very URL, query included.
          html`<p>${texts.ask}</p><form method="post"><button type="submit">${texts.button}</button></form>`,
        );
      },
    );

    app.post<{ Querystring: LinkFields; Body: LinkFields | undefined }>(
      path,
      { bodyLimit: BODY_LIMIT_BYTES, schema: { querystring: linkFields } },
      async (request, reply) => {
        if (!signup) return off(reply);
        const body = (typeof request.body === 'object' && request.body) || {};
        const id = request.query.id ?? stringField(body.id);
        const token = request.query.token ?? stringField(body.token);
        const act = (linkId: string, linkToken: string) =>
          purpose === 'confirm' ? signup.confirm(linkId, linkToken) : signup.unsubscribe(linkId, linkToken);
        const outcome = id && token ? await act(id, token) : 'unknown';
        const status = outcome === 'unknown' ? 404 : 200;
        const text = TEXTS[purpose][outcome];
        if (request.headers['content-type']?.startsWith('application/json')) {
          return reply
            .code(status)
            .send(status === 404 ? { error: text } : { status: outcome, message: text });
        }
        return page(reply, status, TEXTS[purpose].button, text);
      },
    );
  }
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isForm(request: FastifyRequest): boolean {
  return request.headers['content-type']?.toLowerCase().startsWith(FORM) ?? false;
}

function document(branding: BrandingConfig, heading: string, body: SafeHtml | string): SafeHtml {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${heading} · ${branding.page_title}</title></head><body><main><h1>${heading}</h1>${typeof body === 'string' ? html`<p>${body}</p>` : body}<p><a href="${pageLink(branding.page_url)}">${branding.page_title}</a></p></main></body></html>`;
}
