import { sql } from 'kysely';
import type { Db, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { AppError } from '../../shared/errors.ts';
import type { Patient } from '../patients/patients.domain.ts';
import { toPatient } from '../patients/patients.repository.ts';
import { systems } from './fhir.domain.ts';
import { valuesOf, type ParsedSearch } from './search.domain.ts';
import {
  all,
  col,
  codeCondition,
  commonConditions,
  each,
  externalIdentifiers,
  referenceCondition,
} from './search.repository.ts';
import type { ExternalId } from './map.domain.ts';
import type { SearchScope } from './sources.ts';

/**
 * Patients ever enrolled in a group (for Group/{id}/$export). The subquery's alias is its own, so
 * it never hides an `e` of the query it is put in.
 */
export function memberOf(patientId: string, groupId: string) {
  return sql<boolean>`exists (select 1 from enrollment group_member
    where group_member.patient_id = ${sql.ref(patientId)} and group_member.group_id = ${groupId}::uuid)`;
}

/** One page of patients in id order (count + 1 rows, so the caller knows whether more follow). */
export async function searchPatients(
  db: Db,
  search: ParsedSearch,
  scope: SearchScope,
): Promise<{ patient: Patient; external: ExternalId[] }[]> {
  const conditions = [
    ...commonConditions(search, {
      type: 'Patient',
      id: col('patient.id'),
      key: col('patient.id'),
      keyKind: 'uuid',
      updated: col('patient.updated_at'),
      natural: [{ system: systems.mrn, column: col('patient.mrn') }],
    }),
    ...each(valuesOf(search, 'organization', 'reference'), (ref) =>
      referenceCondition(col('patient.service_area_id'), ['Organization'], ref),
    ),
    ...each(valuesOf(search, 'language', 'token'), (token) =>
      codeCondition(col('patient.language'), 'urn:ietf:bcp:47', token),
    ),
    ...(scope.groupId ? [memberOf('patient.id', scope.groupId)] : []),
  ];
  const rows = await db
    .selectFrom('patient')
    .selectAll()
    .where(all(conditions))
    .orderBy('patient.id')
    .limit(search.count + 1)
    .execute();
  const external = await externalIdentifiers(
    db,
    'Patient',
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({ patient: toPatient(row), external: external.get(row.id) ?? [] }));
}

/** Whether two column values are the same (dates by instant, arrays and JSON by content). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    return canonical(a) === canonical(b);
  }
  return a === b;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)))
      : v,
  );
}

export type PatientColumns = Omit<Row<'patient'>, 'id' | 'version' | 'created_at' | 'updated_at'>;

/** The service area nearest a point: where an imported patient without one is cared for. */
export async function nearestServiceArea(
  db: Db,
  lat: number,
  lon: number,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('service_area')
    .select('id')
    .orderBy(sql`(lat - ${lat}) * (lat - ${lat}) + (lon - ${lon}) * (lon - ${lon})`)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

/**
 * Creates the patient with `id`, or updates it only where a column differs (so importing the same
 * resource twice changes nothing, not even the version).
 */
export async function upsertPatient(
  db: Db,
  id: string,
  exists: boolean,
  columns: PatientColumns,
): Promise<'created' | 'updated' | 'unchanged'> {
  if (!exists) {
    await withDbErrors(() =>
      db
        .insertInto('patient')
        .values({ id, ...columns, contact_preferences: { ...columns.contact_preferences } })
        .execute(),
    );
    return 'created';
  }
  const row = await db
    .selectFrom('patient')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `No patient with id ${id}.`);
  const changed = Object.fromEntries(
    Object.entries(columns).filter(
      ([name, value]) => !sameValue(row[name as keyof PatientColumns], value),
    ),
  );
  if (Object.keys(changed).length === 0) return 'unchanged';
  await withDbErrors(() =>
    db
      .updateTable('patient')
      .set({ ...changed, version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute(),
  );
  return 'updated';
}
