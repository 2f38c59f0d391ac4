/** `[notify.email]` on the loopback SMTP server (no alert at start), and the `[subscriptions]` keys. */
export function subscriptionTables(smtpPort: number, subscriptionKeys = 'email = true') {
  return `
[notify]
startup_notification = false
[notify.email]
to = "ops@example.com"
from = "status@example.com"
smtp_host = "127.0.0.1"
smtp_port = ${smtpPort}
smtp_encrypt = false

[subscriptions]
${subscriptionKeys}
`;
}
