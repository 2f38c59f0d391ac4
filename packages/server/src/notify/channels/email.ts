import { z } from 'zod';
import { defineChannel } from '../channel-definition.js';
import { nodesList, REPORT_HEADLINE, recoveredLine, reportLines, testMarker } from '../format.js';
import type { Alert } from '../types.js';
import { acceptsAlert, notifierSchema } from './common.js';
import { openSmtpTransport, smtpEndpoint } from './smtp.js';

/** Vigil's `[notify.email]` keys plus one extension, `smtp_implicit_tls` (SMTPS, which Vigil lacks). */
const emailSchema = notifierSchema({
  to: z.string(),
  from: z.string(),
  smtp_host: z.string().default('localhost'),
  smtp_port: z.number().int().min(1).max(65_535).default(587),
  smtp_username: z.string().optional(),
  smtp_password: z.string().optional(),
  smtp_encrypt: z.boolean().default(true),
  /** Extension: TLS from the first byte instead of STARTTLS; unset means "only on port 465". */
  smtp_implicit_tls: z.boolean().optional(),
});

/** `DEAD` or `DEAD | web:core:tcp://edge-3:80` (spec §6.2). */
function emailSubject(alert: Alert): string {
  const nodes = nodesList(alert);
  return testMarker(alert) + alert.status.toUpperCase() + (nodes === '' ? '' : ` | ${nodes}`);
}

/** The plain-text body as Vigil writes it; only a recovery (extension) adds its line in the block. */
function emailBody(alert: Alert): string {
  const recovered = recoveredLine(alert);
  return [
    `${REPORT_HEADLINE[alert.kind]}: ${alert.page.title}`,
    '',
    '--',
    ...reportLines(alert),
    ...(recovered ? [recovered] : []),
    '--',
    '',
    'To unsubscribe, please edit your status page configuration.',
  ].join('\n');
}

/** Vigil refuses to send when an address does not parse; a bare check gives the same early, clear failure. */
function checkAddress(key: 'to' | 'from', address: string): void {
  if (!/^[^\s@<>",]+@[^\s@<>",]+$/.test(address)) {
    throw new Error(`email ${key} address is invalid: ${JSON.stringify(address)}`);
  }
}

export const emailChannel = defineChannel({
  name: 'email',
  schema: emailSchema,
  create(config, { timeoutMs }) {
    const endpoint = smtpEndpoint(config);
    return {
      accepts: (alert) => acceptsAlert(config.reminders_only, alert),
      async send(alert, signal) {
        checkAddress('to', config.to);
        checkAddress('from', config.from);
        // A new connection per attempt, as Vigil does: nothing half-open survives a failure.
        const transport = await openSmtpTransport(config, timeoutMs);
        // The transport's timeouts are per step; this bounds the whole attempt.
        const deadline = AbortSignal.timeout(timeoutMs);
        try {
          await transport.sendMail({
            from: { name: alert.page.title, address: config.from },
            to: config.to,
            subject: emailSubject(alert),
            text: emailBody(alert),
            signal: AbortSignal.any([signal, deadline]),
          });
        } catch (error) {
          const reason =
            deadline.aborted && !signal.aborted
              ? `timed out after ${timeoutMs} ms`
              : error instanceof Error
                ? error.message
                : String(error);
          throw new Error(`email to ${config.to} via ${endpoint} failed: ${reason}`, { cause: error });
        } finally {
          transport.close();
        }
      },
    };
  },
});
