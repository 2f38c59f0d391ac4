import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { serve } from '../probes/loopback.js';

export interface Delivery {
  mailFrom: string;
  rcptTo: string[];
  /** Whether the session ran over TLS (STARTTLS or implicit). */
  secure: boolean;
  /** What the client authenticated with, if it did. */
  auth?: { method: string; username: string; password: string };
  headers: Map<string, string>;
  body: string;
}

/** Undoes the Content-Transfer-Encoding nodemailer chose (7bit, quoted-printable for long lines, base64). */
function decodeBody(encoded: string, encoding: string | undefined): string {
  if (encoding === 'base64') return Buffer.from(encoded, 'base64').toString('utf8');
  if (encoding !== 'quoted-printable') return encoded;
  const text = encoded.replaceAll('=\r\n', '');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=') {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Headers (unfolded, names lowercased) and decoded body (LF line ends) of a single-part text message. */
function parseMessage(raw: string): Pick<Delivery, 'headers' | 'body'> {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = decodeBody(raw.slice(split + 4), headers.get('content-transfer-encoding'))
    // The CRLF that ends the last line belongs to the SMTP DATA framing, not to Vigil's text.
    .replace(/\r\n$/, '')
    .replaceAll('\r\n', '\n');
  return { headers, body };
}

/** An in-process SMTP server on a free loopback port that records every accepted message. */
export async function startSmtp(options: SMTPServerOptions) {
  const deliveries: Delivery[] = [];
  const auths = new Map<string, Delivery['auth']>();
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    onAuth(auth, session, callback) {
      auths.set(session.id, {
        method: auth.method,
        username: auth.username ?? '',
        password: auth.password ?? '',
      });
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const { mailFrom, rcptTo } = session.envelope;
        deliveries.push({
          mailFrom: mailFrom ? mailFrom.address : '',
          rcptTo: rcptTo.map((rcpt) => rcpt.address),
          secure: session.secure,
          auth: auths.get(session.id),
          ...parseMessage(Buffer.concat(chunks).toString()),
        });
        callback();
      });
    },
    ...options,
  });
  const served = await serve(server.server);
  return { port: served.port, deliveries, close: served.close };
}
