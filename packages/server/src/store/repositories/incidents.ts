import type { Kysely, Selectable } from 'kysely';
import type { Database, IncidentTable } from '../database.js';
import type { Incident, IncidentRepository } from '../types.js';
import { takeExcluded } from './batch.js';
import { newestFirstPage } from './newest-first.js';

const VALUE_COLUMNS = [
  'scope',
  'service_id',
  'node_id',
  'started_at',
  'ended_at',
  'worst',
  'replicas',
  'reasons',
];

export function incidentRepository(db: Kysely<Database>): IncidentRepository {
  return {
    async save(incident) {
      await db
        .insertInto('incidents')
        .values(toRow(incident))
        .onConflict((conflict) =>
          conflict.column('id').doUpdateSet(takeExcluded<Database, 'incidents'>(VALUE_COLUMNS)),
        )
        .execute();
    },

    async close(id, endedAtMs) {
      await db.updateTable('incidents').set({ ended_at: endedAtMs }).where('id', '=', id).execute();
    },

    async listOpen() {
      const rows = await db
        .selectFrom('incidents')
        .selectAll()
        .where('ended_at', 'is', null)
        .orderBy('started_at')
        .execute();
      return rows.map(toIncident);
    },

    async get(id) {
      const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toIncident(row);
    },

    async list(query) {
      let select = db.selectFrom('incidents').selectAll();
      if (query.state === 'open') select = select.where('ended_at', 'is', null);
      if (query.state === 'closed') select = select.where('ended_at', 'is not', null);
      if (query.scope !== undefined) select = select.where('scope', '=', query.scope);
      if (query.serviceId !== undefined) select = select.where('service_id', '=', query.serviceId);
      if (query.nodeId !== undefined) select = select.where('node_id', '=', query.nodeId);
      const listed = query.scopeOrAnnotated;
      if (listed !== undefined) {
        select = select.where((eb) =>
          eb.or([
            eb('scope', '=', listed),
            eb.exists(
              eb
                .selectFrom('incident_updates')
                .select('incident_updates.id')
                .whereRef('incident_updates.incident_id', '=', 'incidents.id'),
            ),
          ]),
        );
      }
      const rows = await newestFirstPage(select, query).execute();
      return rows.map(toIncident);
    },

    async prune(beforeMs) {
      const result = await db.deleteFrom('incidents').where('ended_at', '<', beforeMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRow(incident: Incident): Selectable<IncidentTable> {
  return {
    id: incident.id,
    scope: incident.scope,
    service_id: incident.serviceId,
    node_id: incident.nodeId,
    started_at: incident.startedAtMs,
    ended_at: incident.endedAtMs ?? null,
    worst: incident.worst,
    replicas: JSON.stringify(incident.replicas),
    reasons: JSON.stringify(incident.reasons),
  };
}

function toIncident(row: Selectable<IncidentTable>): Incident {
  const incident: Incident = {
    id: row.id,
    scope: row.scope === 'page' ? 'page' : 'node',
    serviceId: row.service_id,
    nodeId: row.node_id,
    startedAtMs: row.started_at,
    worst: row.worst === 'sick' ? 'sick' : 'dead',
    replicas: JSON.parse(row.replicas) as string[],
    reasons: JSON.parse(row.reasons) as Incident['reasons'],
  };
  if (row.ended_at !== null) incident.endedAtMs = row.ended_at;
  return incident;
}
