import type { Transporter } from 'nodemailer';

/** The SMTP keys of `[notify.email]` as validated, which alerts and subscription mails share. */
export interface EmailConfig {
  from: string;
  smtp_host: string;
  smtp_port: number;
  smtp_username?: string;
  smtp_password?: string;
  smtp_encrypt: boolean;
  smtp_implicit_tls?: boolean;
}

/** `smtp://host:port` or `smtps://…`, for error messages: never the credentials. */
export function smtpEndpoint(config: EmailConfig): string {
  return `${usesImplicitTls(config) ? 'smtps' : 'smtp'}://${config.smtp_host}:${config.smtp_port}`;
}

/** Unset `smtp_implicit_tls` means "only on port 465". */
function usesImplicitTls(config: EmailConfig): boolean {
  return config.smtp_implicit_tls ?? config.smtp_port === 465;
}

/**
 * A transport to the configured SMTP server; the caller closes it. nodemailer loads on the first
 * use, so a config without email never pays for it (~15 MB).
 */
export async function openSmtpTransport(config: EmailConfig, timeoutMs: number): Promise<Transporter> {
  const implicitTls = usesImplicitTls(config);
  const { createTransport } = await import('nodemailer');
  return createTransport({
    host: config.smtp_host,
    port: config.smtp_port,
    secure: implicitTls,
    // smtp_encrypt = true: STARTTLS or nothing; false: STARTTLS when offered (nodemailer's default).
    requireTLS: !implicitTls && config.smtp_encrypt,
    auth:
      config.smtp_username !== undefined && config.smtp_password !== undefined
        ? { user: config.smtp_username, pass: config.smtp_password }
        : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  });
}
