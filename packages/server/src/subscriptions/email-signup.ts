import { randomUUID } from 'node:crypto';
import type { BrandingConfig, SubscriptionsConfig } from '../config/schema.js';
import type { FeedEntry } from '../feed/entry.js';
import type { SubscriptionRepository } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { clientGroup } from '../web/auth-throttle.js';
import { normalizeAddress } from './address.js';
import type { SubscriptionLinks } from './links.js';
import type { Mailer } from './mailer.js';
import { confirmationMail, noticeMail } from './mails.js';
import { withRetries } from './retry.js';
import { WindowCounter } from './window-counter.js';

/** What a sign-up request gets: the same answer whether the address was new, pending or subscribed. */
export type SignupOutcome =
  | { status: 202; message: string }
  | { status: 400 | 429 | 502 | 503; error: string };

export type LinkOutcome = 'done' | 'already' | 'unknown';

type SignupBranding = Pick<BrandingConfig, 'page_title' | 'page_url' | 'company_name'>;

const HOUR_MS = 3_600_000;
const ACCEPTED = 'if this address can subscribe, a confirmation mail is on its way: open its link to confirm';

/**
 * Email subscriptions with double opt-in. A sign-up stores a pending subscription and mails a
 * confirmation link to that address only; only following it activates the subscription. Never an
 * open relay: mails go only to the address given, carry only the operator's texts, and are limited
 * per client and per address; pending sign-ups expire.
 */
export class EmailSignup {
  private readonly perClient: WindowCounter;
  private readonly perAddress: WindowCounter;

  constructor(
    private readonly options: {
      repository: SubscriptionRepository;
      links: SubscriptionLinks;
      mailer: Mailer;
      clock: Clock;
      config: SubscriptionsConfig;
      /** Read on each mail: a reload may change it. */
      branding: () => SignupBranding;
    },
  ) {
    const { clock, config } = options;
    this.perClient = new WindowCounter({ limit: config.client_requests_per_hour, windowMs: HOUR_MS, clock });
    this.perAddress = new WindowCounter({
      limit: config.address_mails_per_day,
      windowMs: 24 * HOUR_MS,
      clock,
    });
  }

  async subscribe(input: string, clientAddress: string): Promise<SignupOutcome> {
    const { repository, clock, config, links } = this.options;
    if (!this.perClient.take(clientGroup(clientAddress))) {
      return { status: 429, error: 'too many sign-up requests from this address: try again in an hour' };
    }
    const address = normalizeAddress(input);
    if (address instanceof Error) return { status: 400, error: address.message };
    const nowMs = clock.now();
    await repository.removeExpired(nowMs);
    const existing = await repository.byTarget('mail', address);
    if (existing?.state === 'active') return { status: 202, message: ACCEPTED };
    if (!this.perAddress.take(address.toLowerCase())) {
      return { status: 429, error: 'too many confirmation mails to this address today: try again tomorrow' };
    }
    const expiresAtMs = nowMs + config.confirm_within * 1000;
    let id = existing?.id;
    if (id === undefined) {
      if ((await repository.count('mail')) >= config.email_max) {
        return { status: 503, error: 'this status page takes no more email subscriptions' };
      }
      const created = {
        id: randomUUID(),
        kind: 'mail',
        target: address,
        state: 'pending',
        createdAtMs: nowMs,
        expiresAtMs,
      } as const;
      // A concurrent sign-up of the same address may have won: then it is that one's mail to send.
      if (!(await repository.insert(created))) return { status: 202, message: ACCEPTED };
      id = created.id;
    } else await repository.renewPending(id, expiresAtMs);

    const branding = this.options.branding();
    const mail = confirmationMail(branding, {
      to: address,
      confirmUrl: links.url(branding.page_url, 'confirm', id),
      unsubscribeUrl: links.url(branding.page_url, 'unsubscribe', id),
      validHours: Math.round(config.confirm_within / 3600),
    });
    const [error] = await this.options.mailer([mail]);
    if (error) return { status: 502, error: 'the confirmation mail could not be sent: try again later' };
    return { status: 202, message: ACCEPTED };
  }

  /** Activates a pending subscription whose confirm link this is. */
  async confirm(id: string, token: string): Promise<LinkOutcome> {
    const { repository, links, clock } = this.options;
    if (!links.verify('confirm', id, token)) return 'unknown';
    const subscription = await repository.get(id);
    if (subscription === undefined || subscription.kind !== 'mail') return 'unknown';
    if (subscription.state === 'active') return 'already';
    if ((subscription.expiresAtMs ?? 0) <= clock.now()) return 'unknown';
    return (await repository.activate(id, clock.now())) ? 'done' : 'already';
  }

  /** Forgets the subscription (pending or active) whose unsubscribe link this is. */
  async unsubscribe(id: string, token: string): Promise<LinkOutcome> {
    const { repository, links } = this.options;
    if (!links.verify('unsubscribe', id, token)) return 'unknown';
    return (await repository.remove(id)) ? 'done' : 'already';
  }

  /** Mails each new entry to every confirmed subscriber; returns what failed after the retries. */
  async notify(
    entries: readonly FeedEntry[],
    signal: AbortSignal,
  ): Promise<Array<{ to: string; error: Error }>> {
    const { repository, links, clock, mailer } = this.options;
    const subscribers = await repository.list('mail', 'active');
    if (subscribers.length === 0 || entries.length === 0) return [];
    const branding = this.options.branding();
    const mails = entries.flatMap((entry) =>
      subscribers.map((subscriber) =>
        noticeMail(
          branding,
          entry,
          subscriber.target,
          links.url(branding.page_url, 'unsubscribe', subscriber.id),
        ),
      ),
    );
    const failed = await withRetries(mails, mailer, { clock, signal });
    return failed.map(({ item, error }) => ({ to: item.to, error }));
  }
}
