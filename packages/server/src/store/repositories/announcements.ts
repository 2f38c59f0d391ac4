import type { Kysely, Selectable } from 'kysely';
import type { Announcement } from '../../announcements/types.js';
import type { AnnouncementTable, Database } from '../database.js';
import type { AnnouncementRepository } from '../types.js';

const SEVERITIES = new Set(['info', 'warning', 'critical']);

export function announcementRepository(db: Kysely<Database>): AnnouncementRepository {
  return {
    async list() {
      const rows = await db.selectFrom('announcements').selectAll().orderBy('seq').execute();
      return rows.map(toAnnouncement);
    },
    async insert(announcement) {
      await db
        .insertInto('announcements')
        .values({
          id: announcement.id,
          title: announcement.title,
          text: announcement.text,
          created_at: announcement.atMs,
          severity: announcement.severity ?? null,
          expires_at: announcement.expiresAtMs ?? null,
        })
        .execute();
    },
    async update(announcement) {
      const result = await db
        .updateTable('announcements')
        .set({
          title: announcement.title,
          text: announcement.text,
          severity: announcement.severity ?? null,
          expires_at: announcement.expiresAtMs ?? null,
        })
        .where('id', '=', announcement.id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async remove(id) {
      const result = await db.deleteFrom('announcements').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async removeExpired(nowMs) {
      const result = await db.deleteFrom('announcements').where('expires_at', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toAnnouncement(row: Selectable<AnnouncementTable>): Announcement {
  const announcement: Announcement = { id: row.id, title: row.title, text: row.text, atMs: row.created_at };
  if (row.severity !== null && SEVERITIES.has(row.severity)) {
    announcement.severity = row.severity as NonNullable<Announcement['severity']>;
  }
  if (row.expires_at !== null) announcement.expiresAtMs = row.expires_at;
  return announcement;
}
