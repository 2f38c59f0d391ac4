/** Who is told of new feed entries: a confirmed email address, or a webhook the operator added. */
export type SubscriptionKind = 'email' | 'webhook';

export interface Subscription {
  /** UUID v4. */
  id: string;
  kind: SubscriptionKind;
  /** The email address (domain lowercased) or the webhook URL. */
  target: string;
  /** An email subscription is pending until the address confirms it; a webhook is active at once. */
  state: 'pending' | 'active';
  createdAtMs: number;
  confirmedAtMs?: number;
  /** A pending subscription is forgotten at this time. */
  expiresAtMs?: number;
}
