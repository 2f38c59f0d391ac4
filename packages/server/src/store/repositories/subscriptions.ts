import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Subscription } from '../../subscriptions/types.js';
import type { Database, SubscriptionTable } from '../database.js';
import type { PublishedEntryRepository, SubscriptionRepository } from '../types.js';
import { isStorableText } from './storable.js';

const SIGNING_KEY = 'subscription_signing_key';

export function subscriptionRepository(db: Kysely<Database>): SubscriptionRepository {
  return {
    async insert(subscription) {
      const result = await db
        .insertInto('subscriptions')
        .values({
          id: subscription.id,
          kind: subscription.kind,
          target: subscription.target,
          state: subscription.state,
          created_at: subscription.createdAtMs,
          confirmed_at: subscription.confirmedAtMs ?? null,
          expires_at: subscription.expiresAtMs ?? null,
        })
        .onConflict((conflict) => conflict.columns(['kind', 'target']).doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
    async get(id) {
      if (!isStorableText(id)) return undefined;
      const row = await db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toSubscription(row);
    },
    async byTarget(kind, target) {
      const row = await db
        .selectFrom('subscriptions')
        .selectAll()
        .where('kind', '=', kind)
        .where('target', '=', target)
        .executeTakeFirst();
      return row && toSubscription(row);
    },
    async renewPending(id, expiresAtMs) {
      await db
        .updateTable('subscriptions')
        .set({ expires_at: expiresAtMs })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .execute();
    },
    async activate(id, atMs) {
      const result = await db
        .updateTable('subscriptions')
        .set({ state: 'active', confirmed_at: atMs, expires_at: null })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async remove(id) {
      if (!isStorableText(id)) return false;
      const result = await db.deleteFrom('subscriptions').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async list(kind, state) {
      let query = db.selectFrom('subscriptions').selectAll().where('kind', '=', kind);
      if (state) query = query.where('state', '=', state);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(toSubscription);
    },
    async count(kind, state) {
      let query = db
        .selectFrom('subscriptions')
        .select((eb) => eb.fn.countAll<string | number>().as('count'))
        .where('kind', '=', kind);
      if (state) query = query.where('state', '=', state);
      const row = await query.executeTakeFirst();
      return Number(row?.count ?? 0);
    },
    async removeExpired(nowMs) {
      const result = await db
        .deleteFrom('subscriptions')
        .where('state', '=', 'pending')
        .where('expires_at', '<=', nowMs)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async signingKey() {
      // Whichever instance writes first wins; every one then reads the same key.
      await db
        .insertInto('settings')
        .values({ key: SIGNING_KEY, value: JSON.stringify(randomBytes(32).toString('base64')) })
        .onConflict((conflict) => conflict.column('key').doNothing())
        .execute();
      const row = await db
        .selectFrom('settings')
        .select('value')
        .where('key', '=', SIGNING_KEY)
        .executeTakeFirstOrThrow();
      return Buffer.from(JSON.parse(row.value) as string, 'base64');
    },
  };
}

export function publishedEntryRepository(db: Kysely<Database>): PublishedEntryRepository {
  return {
    async claim(keys, atMs) {
      if (keys.length === 0) return new Set();
      const rows = await db
        .insertInto('feed_published')
        .values(keys.map((entry_key) => ({ entry_key, published_at: atMs })))
        .onConflict((conflict) => conflict.column('entry_key').doNothing())
        .returning('entry_key')
        .execute();
      return new Set(rows.map((row) => row.entry_key));
    },
    async has(key) {
      const row = await db
        .selectFrom('feed_published')
        .select('entry_key')
        .where('entry_key', '=', key)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

function toSubscription(row: Selectable<SubscriptionTable>): Subscription {
  const subscription: Subscription = {
    id: row.id,
    kind: row.kind === 'hook' ? 'hook' : 'mail',
    target: row.target,
    state: row.state === 'active' ? 'active' : 'pending',
    createdAtMs: row.created_at,
  };
  if (row.confirmed_at !== null) subscription.confirmedAtMs = row.confirmed_at;
  if (row.expires_at !== null) subscription.expiresAtMs = row.expires_at;
  return subscription;
}
