/** Who is told of new feed entries: a confirmed mail address, or an HTTP endpoint (webhook) the operator added. */
export type SubscriptionKind = 'mail' | 'hook';

export interface Subscription {
  /** UUID v4. */
  id: string;
  kind: SubscriptionKind;
  /** The mail address (domain lowercased) or the webhook URL. */
  target: string;
  /** A mail subscription is pending until the address confirms it; a webhook is active at once. */
  state: 'pending' | 'active';
  createdAtMs: number;
  confirmedAtMs?: number;
  /** A pending subscription is forgotten at this time. */
  expiresAtMs?: number;
}
