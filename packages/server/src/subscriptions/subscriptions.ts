import type { Logger } from 'pino';
import type { BrandingConfig, NotifyConfig, SubscriptionsConfig } from '../config/schema.js';
import type { FeedEntry, FeedSource } from '../feed/entry.js';
import { emailChannel } from '../notify/channels/email.js';
import type { EmailConfig } from '../notify/channels/smtp.js';
import { targetTables } from '../notify/targets.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { EmailSignup } from './email-signup.js';
import { SubscriptionLinks } from './links.js';
import { type Mailer, smtpMailer } from './mailer.js';
import { FeedPublisher } from './publisher.js';
import { WebhookSubscriptions } from './webhooks.js';

/** Seconds between reads of the feed's sources for news; announcements are also seen at once. */
const CHECK_INTERVAL_MS = 15_000;
/** Per SMTP step and per webhook POST, as the notify channels' 10 s. */
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface SubscriptionsOptions {
  store: Pick<Store, 'subscriptions' | 'publishedEntries'>;
  config: SubscriptionsConfig;
  /** `[notify.email]`'s first target, read on each batch: a reload may change it. */
  email: () => EmailConfig | undefined;
  branding: () => BrandingConfig;
  sources: readonly FeedSource[];
  clock: Clock;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** Tests inject a mailer that fails; the SMTP one otherwise. */
  mailer?: Mailer;
  checkIntervalMs?: number;
}

/** Email and webhook subscriptions with the publisher that tells them of new feed entries. */
export interface Subscriptions {
  /** Absent unless `subscriptions.email = true` (which needs `[notify.email]`). */
  signup: EmailSignup | undefined;
  webhooks: WebhookSubscriptions;
  /** Looks for news now (an announcement was posted). */
  check(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSubscriptions(options: SubscriptionsOptions): Promise<Subscriptions> {
  const { store, config, clock, logger, branding } = options;
  const mailer =
    options.mailer ??
    smtpMailer({
      email: options.email,
      fromName: () => branding().page_title,
      timeoutMs: ATTEMPT_TIMEOUT_MS,
    });
  const signup = config.email
    ? new EmailSignup({
        repository: store.subscriptions,
        links: new SubscriptionLinks(await store.subscriptions.signingKey()),
        mailer,
        clock,
        config,
        branding,
      })
    : undefined;
  const webhooks = new WebhookSubscriptions({
    repository: store.subscriptions,
    clock,
    max: config.webhooks_max,
    timeoutMs: ATTEMPT_TIMEOUT_MS,
    branding,
  });
  const report = (what: string, failed: Array<{ to: string; error: Error }>) => {
    for (const { to, error } of failed) logger.warn({ err: error }, `${what} to ${to} failed after retries`);
  };
  const deliver = async (entries: readonly FeedEntry[], signal: AbortSignal) => {
    await Promise.all([
      signup?.notify(entries, signal).then((failed) => report('subscription mail', failed)),
      webhooks.notify(entries, signal).then((failed) => report('subscription webhook', failed)),
    ]);
  };
  const publisher = new FeedPublisher({
    sources: options.sources,
    published: store.publishedEntries,
    clock,
    intervalMs: options.checkIntervalMs ?? CHECK_INTERVAL_MS,
    deliver,
    onError: (error) => logger.error({ err: error }, 'cannot tell subscribers of new feed entries'),
  });
  await publisher.start();
  return { signup, webhooks, check: () => publisher.trigger(), stop: () => publisher.stop() };
}

/** The SMTP settings subscription mails use: `[notify.email]`, or the first `[[notify.email]]` entry. */
export function subscriptionSmtp(notify: NotifyConfig | undefined): EmailConfig | undefined {
  const first = targetTables(notify ?? {}, [emailChannel])[0];
  return first && emailChannel.schema.parse(first.table);
}
