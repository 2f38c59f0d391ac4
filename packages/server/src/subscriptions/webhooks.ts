import { randomUUID } from 'node:crypto';
import type { BrandingConfig } from '../config/schema.js';
import { pageLink } from '../feed/atom.js';
import type { FeedEntry } from '../feed/entry.js';
import { postJson } from '../notify/channels/http.js';
import type { SubscriptionRepository } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { withRetries } from './retry.js';
import type { Subscription } from './types.js';

/** Long enough for any real endpoint, short enough to keep a list of them small. */
export const WEBHOOK_URL_MAX = 2048;

type WebhookBranding = Pick<BrandingConfig, 'page_title' | 'page_url'>;

/** What each webhook receives for a new or changed feed entry (docs/subscriptions.md). */
export function webhookPayload(branding: WebhookBranding, entry: FeedEntry) {
  return {
    event: 'feed.entry',
    page: { title: branding.page_title, url: pageLink(branding.page_url) },
    entry: {
      id: entry.id,
      kind: entry.kind,
      title: entry.title,
      text: entry.text,
      published: new Date(entry.publishedMs).toISOString(),
      updated: new Date(entry.updatedMs).toISOString(),
      url: pageLink(branding.page_url, entry.path ?? ''),
    },
  };
}

/** Why a URL cannot be a webhook, or undefined. */
export function webhookUrlProblem(url: string): string | undefined {
  if (url.length > WEBHOOK_URL_MAX) return `url must have at most ${WEBHOOK_URL_MAX} characters`;
  if (!URL.canParse(url)) return 'url must be an absolute http or https URL';
  const { protocol } = new URL(url);
  return protocol === 'http:' || protocol === 'https:'
    ? undefined
    : 'url must be an absolute http or https URL';
}

/** Webhook subscriptions: only the manager API adds them; each new entry is POSTed to each one. */
export class WebhookSubscriptions {
  constructor(
    private readonly options: {
      repository: SubscriptionRepository;
      clock: Clock;
      max: number;
      timeoutMs: number;
      branding: () => WebhookBranding;
    },
  ) {}

  list(): Promise<Subscription[]> {
    return this.options.repository.list('hook');
  }

  /** The new subscription, or why there is none (`conflict`: that URL is already subscribed). */
  async add(url: string): Promise<Subscription | { error: string; conflict?: true }> {
    const { repository, clock, max } = this.options;
    const problem = webhookUrlProblem(url);
    if (problem) return { error: problem };
    if ((await repository.count('hook')) >= max) {
      return { error: `there are already ${max} webhooks, the most allowed (subscriptions.webhooks_max)` };
    }
    const subscription: Subscription = {
      id: randomUUID(),
      kind: 'hook',
      target: url,
      state: 'active',
      createdAtMs: clock.now(),
    };
    if (!(await repository.insert(subscription)))
      return { error: 'this URL is already subscribed', conflict: true };
    return subscription;
  }

  async remove(id: string): Promise<boolean> {
    const { repository } = this.options;
    const found = await repository.get(id);
    return found?.kind === 'hook' && (await repository.remove(id));
  }

  /** POSTs each entry to every webhook; returns what failed after the retries. */
  async notify(
    entries: readonly FeedEntry[],
    signal: AbortSignal,
  ): Promise<Array<{ to: string; error: Error }>> {
    const { clock, timeoutMs } = this.options;
    const hooks = await this.list();
    const branding = this.options.branding();
    const posts = entries.flatMap((entry) => hooks.map((hook) => ({ url: hook.target, entry })));
    const failed = await withRetries(
      posts,
      (todo) =>
        Promise.all(
          todo.map((post) =>
            postJson(post.url, webhookPayload(branding, post.entry), { signal, timeoutMs }).then(
              () => undefined,
              (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
            ),
          ),
        ),
      { clock, signal },
    );
    // The origin only: a webhook's path often holds its secret.
    return failed.map(({ item, error }) => ({ to: new URL(item.url).origin, error }));
  }
}
