import { type EmailConfig, openSmtpTransport, smtpEndpoint } from '../notify/channels/smtp.js';
import type { OutgoingMail } from './mails.js';

/** Sends subscription mails; a result per mail, in order: undefined when sent, else the error. */
export type Mailer = (mails: readonly OutgoingMail[]) => Promise<Array<Error | undefined>>;

/**
 * Mails through `[notify.email]`'s SMTP server (read on each batch: a reload may change it), each to
 * exactly the one address it names: the envelope lists it alone, so no header can add a recipient.
 */
export function smtpMailer(options: {
  email: () => EmailConfig | undefined;
  fromName: () => string;
  timeoutMs: number;
}): Mailer {
  return async (mails) => {
    const config = options.email();
    if (config === undefined) return mails.map(() => new Error('[notify.email] is not configured'));
    const transport = await openSmtpTransport(config, options.timeoutMs);
    try {
      const results: Array<Error | undefined> = [];
      for (const mail of mails) {
        try {
          await transport.sendMail({
            from: { name: options.fromName(), address: config.from },
            to: mail.to,
            envelope: { from: config.from, to: [mail.to] },
            subject: mail.subject,
            text: mail.text,
            headers: {
              'List-Unsubscribe': `<${mail.unsubscribeUrl}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
              'Auto-Submitted': 'auto-generated',
            },
            signal: AbortSignal.timeout(options.timeoutMs),
          });
          results.push(undefined);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          results.push(new Error(`mail via ${smtpEndpoint(config)} failed: ${reason}`, { cause: error }));
        }
      }
      return results;
    } finally {
      transport.close();
    }
  };
}
