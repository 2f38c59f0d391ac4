import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import {
  type DeclaredIncident,
  INCIDENT_STATUSES,
  type IncidentStatus,
  type IncidentUpdate,
} from '../../incidents/types.js';
import type { Database, DeclaredIncidentTable, IncidentUpdateTable } from '../database.js';
import type { DeclaredIncidentRepository } from '../types.js';
import { newestFirstPage } from './newest-first.js';

/** Rows come from outside the program: their JSON columns are parsed, not trusted. */
const SERVICES = z.array(z.string());
const NODES = z.array(z.object({ serviceId: z.string(), nodeId: z.string() }));
const STATUS = z.enum(INCIDENT_STATUSES);

export function declaredIncidentRepository(db: Kysely<Database>): DeclaredIncidentRepository {
  return {
    async insert(incident, first) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('declared_incidents').values(toRow(incident)).execute();
        await trx.insertInto('incident_updates').values(toUpdateRow(first)).execute();
      });
    },

    async addUpdate(update, declared) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('incident_updates').values(toUpdateRow(update)).execute();
        if (declared === undefined) return;
        await trx
          .updateTable('declared_incidents')
          .set({ status: declared.status, resolved_at: declared.resolvedAtMs ?? null })
          .where('id', '=', update.incidentId)
          .execute();
      });
    },

    async get(id) {
      const row = await db
        .selectFrom('declared_incidents')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toIncident(row);
    },

    async list(query) {
      let select = db.selectFrom('declared_incidents').selectAll();
      if (query.unresolved) select = select.where('resolved_at', 'is', null);
      const rows = await newestFirstPage(select, query).execute();
      return rows.map(toIncident);
    },

    async countUnresolved() {
      const { count } = await db
        .selectFrom('declared_incidents')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('resolved_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(count);
    },

    async updates(incidentIds) {
      if (incidentIds.length === 0) return [];
      const rows = await db
        .selectFrom('incident_updates')
        .selectAll()
        .where('incident_id', 'in', [...incidentIds])
        .orderBy('at')
        .orderBy('id')
        .execute();
      return rows.map(toUpdate);
    },

    async countUpdates(incidentId) {
      const { count } = await db
        .selectFrom('incident_updates')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('incident_id', '=', incidentId)
        .executeTakeFirstOrThrow();
      return Number(count);
    },

    async prune(beforeMs) {
      return db.transaction().execute(async (trx) => {
        const incidents = await trx
          .deleteFrom('declared_incidents')
          .where('resolved_at', '<', beforeMs)
          .executeTakeFirst();
        const updates = await trx
          .deleteFrom('incident_updates')
          .where((eb) =>
            eb.and([
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('incidents')
                    .select('incidents.id')
                    .whereRef('incidents.id', '=', 'incident_updates.incident_id'),
                ),
              ),
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('declared_incidents')
                    .select('declared_incidents.id')
                    .whereRef('declared_incidents.id', '=', 'incident_updates.incident_id'),
                ),
              ),
            ]),
          )
          .executeTakeFirst();
        return Number(incidents.numDeletedRows) + Number(updates.numDeletedRows);
      });
    },
  };
}

function toRow(incident: DeclaredIncident): Selectable<DeclaredIncidentTable> {
  return {
    id: incident.id,
    title: incident.title,
    started_at: incident.startedAtMs,
    status: incident.status,
    resolved_at: incident.resolvedAtMs ?? null,
    services: JSON.stringify(incident.services),
    nodes: JSON.stringify(incident.nodes),
  };
}

function toIncident(row: Selectable<DeclaredIncidentTable>): DeclaredIncident {
  const incident: DeclaredIncident = {
    id: row.id,
    title: row.title,
    startedAtMs: row.started_at,
    status: statusOf(row.status),
    services: SERVICES.parse(JSON.parse(row.services)),
    nodes: NODES.parse(JSON.parse(row.nodes)),
  };
  if (row.resolved_at !== null) incident.resolvedAtMs = row.resolved_at;
  return incident;
}

function toUpdateRow(update: IncidentUpdate): Selectable<IncidentUpdateTable> {
  return {
    id: update.id,
    incident_id: update.incidentId,
    at: update.atMs,
    status: update.status,
    message: update.message,
  };
}

function toUpdate(row: Selectable<IncidentUpdateTable>): IncidentUpdate {
  return {
    id: row.id,
    incidentId: row.incident_id,
    atMs: row.at,
    status: statusOf(row.status),
    message: row.message,
  };
}

const statusOf = (value: string): IncidentStatus => STATUS.parse(value);
