import type { Db, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { updateVersioned } from '../../db/versioned.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../../shared/page.ts';
import type { Need, Specialty } from '../vocabulary/vocabulary.domain.ts';
import type {
  DischargeWindow,
  NewPatient,
  Patient,
  PatientFilter,
  PatientPatch,
  Risk,
} from './patients.domain.ts';

// The CHECK constraints of the patient table guarantee these narrowings. contact_preferences is
// written only through the API's strict schema, and the response schema checks it again on the
// way out.
export function toPatient(row: Row<'patient'>): Patient {
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

export async function insertPatient(db: Db, patient: NewPatient): Promise<Patient> {
  const row = await withDbErrors(() =>
    db
      .insertInto('patient')
      .values({
        id: uuidv7(),
        mrn: patient.mrn,
        name: patient.name,
        birth_date: patient.birthDate,
        language: patient.language,
        service_area_id: patient.serviceAreaId,
        lat: patient.lat,
        lon: patient.lon,
        needs: patient.needs,
        conditions: patient.conditions,
        risk: patient.risk,
        discharged_at: patient.dischargedAt,
        perinatal: patient.perinatal,
        contact_preferences: { ...patient.contactPreferences },
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toPatient(row);
}

export async function findPatient(db: Db, id: string): Promise<Patient | undefined> {
  const row = await db.selectFrom('patient').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toPatient(row);
}

/** `recent` is the recent-discharge window at the caller's now (patients.domain.ts). */
export async function listPatients(
  db: Db,
  filter: PatientFilter,
  page: PageRequest,
  recent: DischargeWindow,
): Promise<Page<Patient>> {
  let query = db
    .selectFrom('patient')
    .selectAll()
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor));
  if (filter.serviceAreaId) query = query.where('service_area_id', '=', filter.serviceAreaId);
  if (filter.risk) query = query.where('risk', '=', filter.risk);
  if (filter.perinatal !== undefined) query = query.where('perinatal', '=', filter.perinatal);
  if (filter.language) query = query.where('language', '=', filter.language);
  if (filter.recentlyDischarged === true) {
    query = query.where('discharged_at', '>=', recent.from).where('discharged_at', '<=', recent.to);
  } else if (filter.recentlyDischarged === false) {
    query = query.where((eb) =>
      eb.or([
        eb('discharged_at', 'is', null),
        eb('discharged_at', '<', recent.from),
        eb('discharged_at', '>', recent.to),
      ]),
    );
  }
  return toPage(await query.execute(), page.limit, toPatient);
}

export async function updatePatient(
  db: Db,
  id: string,
  version: number,
  patch: PatientPatch,
): Promise<Patient> {
  const row = await updateVersioned(db, 'patient', id, version, {
    mrn: patch.mrn,
    name: patch.name,
    birth_date: patch.birthDate,
    language: patch.language,
    service_area_id: patch.serviceAreaId,
    lat: patch.lat,
    lon: patch.lon,
    needs: patch.needs,
    conditions: patch.conditions,
    risk: patch.risk,
    discharged_at: patch.dischargedAt,
    perinatal: patch.perinatal,
    contact_preferences: patch.contactPreferences && { ...patch.contactPreferences },
  });
  return toPatient(row);
}
