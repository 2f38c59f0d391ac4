import { z } from 'zod';
import { defineChannel } from '../channel-definition.js';
import { recoveredLine, shortText, testMarker } from '../format.js';
import type { Alert } from '../types.js';
import { acceptsAlert, notifierSchema } from './common.js';

interface XmlElement {
  toString(): string;
}

type Authenticate = (
  credentials: { username: string; password: string },
  mechanism: string | undefined,
) => Promise<void>;

interface XmppClient {
  status: string;
  /** The transport socket: a net.Socket, or @xmpp/tls's wrapper around a TLSSocket. */
  socket: { destroy?: () => void; socket?: { destroy(): void } | null } | null;
  reconnect: { stop(): void };
  isSecure(): boolean;
  on(event: 'error', listener: (error: unknown) => void): void;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(element: XmlElement): Promise<void>;
}

interface XmppModule {
  client(options: {
    service: string;
    domain: string;
    username: string;
    password: string;
    resource?: string;
    timeout: number;
    credentials?: (authenticate: Authenticate, mechanisms: string[]) => Promise<void>;
  }): XmppClient;
  xml(name: string, attributes?: Record<string, string>, ...children: (XmlElement | string)[]): XmlElement;
}

/** @xmpp/client loads on the first send, so a config without XMPP never pays for it (~14 MB). */
async function loadXmpp(): Promise<XmppModule> {
  // @ts-expect-error -- @xmpp/client ships no type declarations; XmppModule types the part we use.
  return (await import('@xmpp/client')) as XmppModule;
}

const JID = /^([^@/\s]+)@([^@/\s]+)(?:\/(.+))?$/;
/** How long a polite stream close may take before the socket is simply destroyed. */
const CLOSE_GRACE_MS = 1_000;

/** Vigil's `[notify.xmpp]` keys plus two extensions, `xmpp_service` and `xmpp_tls_required`. */
const xmppSchema = notifierSchema({
  to: z.string().regex(JID, 'must be a JID, such as ops@example.com'),
  from: z.string().regex(JID, 'must be a JID, such as vigil@example.com'),
  xmpp_password: z.string(),
  /**
   * Extension: where to connect (`xmpp://host:5222` STARTTLS, `xmpps://host:5223` direct TLS). Unset, the
   * `from` domain is resolved through DNS SRV records, as libstrophe does for Vigil.
   */
  xmpp_service: z
    .string()
    .refine((value) => URL.canParse(value) && /^xmpps?:$/.test(new URL(value).protocol), {
      message: 'must be an xmpp:// or xmpps:// URL, such as xmpp://chat.example.com:5222',
    })
    .optional(),
  /** Extension: refuse to log in over a stream that is not encrypted (Vigil uses TLS only when offered). */
  xmpp_tls_required: z.boolean().default(false),
});

/** Vigil's body: the SMS text (with Twilio's recovered line, an extension) and a final URL line. */
function xmppBody(alert: Alert): string {
  const recovered = recoveredLine(alert);
  return `${testMarker(alert)}${shortText(alert)}${recovered ? `${recovered}\n` : ''}URL: ${alert.page.url}`;
}

function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === 'SASLError')
    return `authentication was refused (${error.message})`;
  return error instanceof Error ? error.message : String(error);
}

/** Settles with `work`, or rejects as soon as `signal` aborts (the work is then abandoned, see `disconnect`). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // After an abort `work` still settles; its rejection is expected and must not go unhandled.
  work.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Ends the connection: a logged-in stream is closed politely so the server flushes the message (bounded,
 * in case it never answers); then the socket is destroyed, since a silent peer would keep it half-open.
 */
async function disconnect(xmpp: XmppClient): Promise<void> {
  const socket = xmpp.socket;
  if (xmpp.status === 'online') {
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      xmpp.stop().catch(() => {}),
      new Promise((resolve) => {
        grace = setTimeout(resolve, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(grace);
  }
  if (socket) (socket.socket ?? socket).destroy?.();
}

export const xmppChannel = defineChannel({
  name: 'xmpp',
  schema: xmppSchema,
  create(config, { timeoutMs }) {
    const [, username = '', domain = '', resource] = JID.exec(config.from) ?? [];
    const service = config.xmpp_service ?? domain;

    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      async send(alert, signal) {
        const { client: createClient, xml } = await loadXmpp();
        const password = config.xmpp_password;
        const xmpp: XmppClient = createClient({
          service,
          domain,
          username,
          password,
          resource,
          timeout: timeoutMs,
          // With TLS required, check before any credential is offered. Secure, the first offered mechanism
          // is what @xmpp/client itself would choose.
          credentials: config.xmpp_tls_required
            ? async (authenticate, mechanisms) => {
                if (!xmpp.isSecure())
                  throw new Error('the server offers no TLS and xmpp_tls_required is set');
                await authenticate({ username, password }, mechanisms[0]);
              }
            : undefined,
        });
        // One attempt: the dispatcher owns retries, so the client must not reconnect on its own.
        xmpp.reconnect.stop();
        // Failures also surface through start(); without a listener an 'error' event would crash the process.
        xmpp.on('error', () => {});
        const deadline = AbortSignal.timeout(timeoutMs);
        try {
          await untilAborted(
            (async () => {
              await xmpp.start();
              const message = xml(
                'message',
                { type: 'chat', id: `vigil-${Math.floor(Date.now() / 1000)}`, to: config.to },
                xml('body', {}, xmppBody(alert)),
              );
              await xmpp.send(message);
            })(),
            AbortSignal.any([signal, deadline]),
          );
        } catch (error) {
          const reason =
            deadline.aborted && !signal.aborted ? `timed out after ${timeoutMs} ms` : reasonOf(error);
          throw new Error(
            `xmpp message from ${config.from} to ${config.to} via ${service} failed: ${reason}`,
            {
              cause: error,
            },
          );
        } finally {
          await disconnect(xmpp);
        }
      },
    };
  },
});
