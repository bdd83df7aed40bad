import { sql } from 'kysely';
import { uuidArray } from '../../db/arrays.ts';
import type { Db } from '../../db/database.ts';
import { systems, type ServedType } from './fhir.domain.ts';

/*
 * How import finds what Continuity already holds: by id, by natural identifier (record number,
 * NPI, service-area code) and by the identifiers kept from other systems.
 */

interface Home {
  /** The tables that hold the type's ids (an Appointment is a session or an appointment). */
  tables: readonly (
    | 'service_area'
    | 'location'
    | 'clinician'
    | 'outside_provider'
    | 'patient'
    | 'therapy_group'
    | 'group_session'
    | 'appointment'
  )[];
  natural: readonly { system: string; column: 'code' | 'npi' | 'mrn' }[];
}

const homes: Partial<Record<ServedType, Home>> = {
  Organization: {
    tables: ['service_area'],
    natural: [{ system: systems.serviceArea, column: 'code' }],
  },
  Location: { tables: ['location'], natural: [] },
  Practitioner: { tables: ['clinician'], natural: [{ system: systems.npi, column: 'npi' }] },
  PractitionerRole: { tables: ['clinician'], natural: [{ system: systems.npi, column: 'npi' }] },
  HealthcareService: {
    tables: ['outside_provider'],
    natural: [{ system: systems.npi, column: 'npi' }],
  },
  Patient: { tables: ['patient'], natural: [{ system: systems.mrn, column: 'mrn' }] },
  Group: { tables: ['therapy_group'], natural: [] },
  Appointment: { tables: ['group_session', 'appointment'], natural: [] },
};

/** Whether an identifier system is one Continuity keeps in a column of this type (not in external_identifier). */
export function isNaturalSystem(type: ServedType, system: string): boolean {
  return system === systems.uri || (homes[type]?.natural.some((n) => n.system === system) ?? false);
}

/** Which of these ids exist for the type. */
export async function existingIds(
  db: Db,
  type: ServedType,
  ids: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  const home = homes[type];
  if (!home || ids.length === 0) return found;
  for (const table of home.tables) {
    for (let i = 0; i < ids.length; i += 1000) {
      const { rows } = await sql<{ id: string }>`select id from ${sql.table(table)}
        where id = any(${uuidArray(ids.slice(i, i + 1000))})`.execute(db);
      for (const row of rows) found.add(row.id);
    }
  }
  return found;
}

/** The entity each identifier (`system|value`) names, for the type. */
export async function idsByIdentifier(
  db: Db,
  type: ServedType,
  identifiers: readonly { system: string; value: string }[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const home = homes[type];
  if (!home || identifiers.length === 0) return found;
  for (const natural of home.natural) {
    const values = [
      ...new Set(identifiers.filter((i) => i.system === natural.system).map((i) => i.value)),
    ];
    for (let i = 0; i < values.length; i += 1000) {
      const { rows } = await sql<{
        id: string;
        value: string;
      }>`select id, ${sql.ref(natural.column)} as value
        from ${sql.table(home.tables[0] ?? 'patient')}
        where ${sql.ref(natural.column)} = any(${values.slice(i, i + 1000)}::text[])`.execute(db);
      for (const row of rows) found.set(`${natural.system}|${row.value}`, row.id);
    }
  }
  const others = identifiers.filter((i) => !isNaturalSystem(type, i.system));
  for (let i = 0; i < others.length; i += 1000) {
    const chunk = others.slice(i, i + 1000);
    const rows = await db
      .selectFrom('external_identifier')
      .select(['system', 'value', 'entity_id'])
      .where('resource_type', '=', type)
      .where((eb) =>
        eb.or(chunk.map((x) => eb.and([eb('system', '=', x.system), eb('value', '=', x.value)]))),
      )
      .execute();
    for (const row of rows) found.set(`${row.system}|${row.value}`, row.entity_id);
  }
  return found;
}

/** Keeps identifiers from other systems; one already kept is left as it is. */
export async function keepIdentifiers(
  db: Db,
  rows: readonly { type: ServedType; system: string; value: string; id: string }[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('external_identifier')
      .values(
        rows.slice(i, i + 1000).map((r) => ({
          resource_type: r.type,
          system: r.system,
          value: r.value,
          entity_id: r.id,
        })),
      )
      .onConflict((oc) => oc.columns(['resource_type', 'system', 'value']).doNothing())
      .execute();
  }
}
