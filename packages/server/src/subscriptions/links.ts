import { createHmac, timingSafeEqual } from 'node:crypto';
import { pageLink } from '../feed/atom.js';

export type LinkPurpose = 'confirm' | 'unsubscribe';

/** Where each link points, relative to the page URL. */
export const LINK_PATHS: Record<LinkPurpose, string> = {
  confirm: 'subscribe/confirm',
  unsubscribe: 'unsubscribe',
};

/**
 * Confirm and unsubscribe links carry the subscription id and an HMAC of it under the store's
 * signing key: nothing secret is stored per subscriber, and a link works only for its purpose.
 */
export class SubscriptionLinks {
  constructor(private readonly key: Buffer) {}

  token(purpose: LinkPurpose, id: string): string {
    return createHmac('sha256', this.key).update(`${purpose}:${id}`).digest('base64url');
  }

  /** Constant-time: how much of a token matches says nothing. */
  verify(purpose: LinkPurpose, id: string, token: string): boolean {
    const expected = Buffer.from(this.token(purpose, id));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  url(pageUrl: string, purpose: LinkPurpose, id: string): string {
    const url = new URL(pageLink(pageUrl, LINK_PATHS[purpose]));
    url.searchParams.set('id', id);
    url.searchParams.set('token', this.token(purpose, id));
    return url.href;
  }
}
