import { sql } from 'kysely';
import type { Db, Row } from '../../db/database.ts';
import type { Patient, Risk } from '../patients/patients.domain.ts';
import type { Need, Specialty } from '../vocabulary/vocabulary.domain.ts';
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

// The patient table's CHECKs hold these columns to the domain's unions.
export function patientOf(row: Row<'patient'>): Patient {
  return {
    id: row.id,
    mrn: row.mrn,
    name: row.name,
    birthDate: row.birth_date,
    language: row.language,
    serviceAreaId: row.service_area_id,
    lat: row.lat,
    lon: row.lon,
    needs: row.needs as Need[],
    conditions: row.conditions as Specialty[],
    risk: row.risk as Risk,
    dischargedAt: row.discharged_at,
    perinatal: row.perinatal,
    contactPreferences: row.contact_preferences,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Patients of a group's roster (for Group/{id}/$export): active, waitlisted or paused members. */
export function memberOf(patientId: string, groupId: string) {
  return sql<boolean>`exists (select 1 from enrollment e
    where e.patient_id = ${sql.ref(patientId)} and e.group_id = ${groupId}::uuid)`;
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
  return rows.map((row) => ({ patient: patientOf(row), external: external.get(row.id) ?? [] }));
}
