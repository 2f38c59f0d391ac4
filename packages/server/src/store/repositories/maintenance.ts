import type { Kysely, Selectable } from 'kysely';
import type { MaintenanceWindow } from '../../maintenance/types.js';
import type { Database, MaintenanceWindowTable } from '../database.js';
import type { MaintenanceRepository } from '../types.js';
import { isStorableText } from './storable.js';

export function maintenanceRepository(db: Kysely<Database>): MaintenanceRepository {
  return {
    async listCurrent(nowMs) {
      const rows = await db
        .selectFrom('maintenance_windows')
        .selectAll()
        .where('ends_at', '>', nowMs)
        .orderBy('starts_at')
        .orderBy('seq')
        .execute();
      return rows.map(toWindow);
    },

    async listPast({ nowMs, limit, before }) {
      let select = db.selectFrom('maintenance_windows').selectAll().where('ends_at', '<=', nowMs);
      if (before !== undefined) {
        select = select.where((eb) =>
          eb.or([
            eb('ends_at', '<', before.endsAtMs),
            eb.and([eb('ends_at', '=', before.endsAtMs), eb('id', '<', before.id)]),
          ]),
        );
      }
      const rows = await select.orderBy('ends_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toWindow);
    },

    async insert(window) {
      await db
        .insertInto('maintenance_windows')
        .values({ id: window.id, ...editableColumns(window), created_at: window.createdAtMs })
        .execute();
    },

    async update(window) {
      const result = await db
        .updateTable('maintenance_windows')
        .set(editableColumns(window))
        .where('id', '=', window.id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async remove(id) {
      if (!isStorableText(id)) return false;
      const result = await db.deleteFrom('maintenance_windows').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

/** The columns an edit replaces: everything but the id and the creation time. */
function editableColumns(window: MaintenanceWindow) {
  return {
    title: window.title,
    text: window.text,
    starts_at: window.startsAtMs,
    ends_at: window.endsAtMs,
    services: JSON.stringify(window.services),
    nodes: JSON.stringify(window.nodes),
  };
}

function toWindow(row: Selectable<MaintenanceWindowTable>): MaintenanceWindow {
  return {
    id: row.id,
    title: row.title,
    text: row.text,
    startsAtMs: row.starts_at,
    endsAtMs: row.ends_at,
    services: stringList(row.services),
    nodes: stringList(row.nodes),
    createdAtMs: row.created_at,
  };
}

/** A stored JSON list of ids; anything else (a hand-edited row) reads as none. */
function stringList(json: string): string[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.filter((each): each is string => typeof each === 'string') : [];
}
