import { sql } from 'kysely';
import type { Db, Row } from '../../db/database.ts';
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
