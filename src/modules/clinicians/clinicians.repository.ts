import { sql } from 'kysely';
import type { Db, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { updateVersioned } from '../../db/versioned.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../../shared/page.ts';
import type { Certification, Discipline, Specialty } from '../vocabulary/vocabulary.domain.ts';
import type {
  Clinician,
  ClinicianFilter,
  ClinicianPatch,
  ClinicianStatus,
  NewClinician,
} from './clinicians.domain.ts';

// The CHECK constraints of the clinician table guarantee these narrowings.
export function toClinician(row: Row<'clinician'>): Clinician {
  return {
    id: row.id,
    npi: row.npi,
    name: row.name,
    discipline: row.discipline as Discipline,
    specialties: row.specialties as Specialty[],
    languages: row.languages,
    certifications: row.certifications as Certification[],
    locationId: row.location_id,
    fte: row.fte,
    status: row.status as ClinicianStatus,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** `array[value]::text[]`: the right-hand side of an array containment test (`@>`). */
function one(value: string) {
  return sql<string[]>`array[${value}]::text[]`;
}

export async function insertClinician(db: Db, clinician: NewClinician): Promise<Clinician> {
  const row = await withDbErrors(() =>
    db
      .insertInto('clinician')
      .values({
        id: uuidv7(),
        npi: clinician.npi,
        name: clinician.name,
        discipline: clinician.discipline,
        specialties: clinician.specialties,
        languages: clinician.languages,
        certifications: clinician.certifications,
        location_id: clinician.locationId,
        fte: clinician.fte,
        status: clinician.status,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toClinician(row);
}

export async function findClinician(db: Db, id: string): Promise<Clinician | undefined> {
  const row = await db.selectFrom('clinician').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toClinician(row);
}

export async function listClinicians(
  db: Db,
  filter: ClinicianFilter,
  page: PageRequest,
): Promise<Page<Clinician>> {
  let query = db
    .selectFrom('clinician')
    .selectAll()
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor));
  if (filter.locationId) query = query.where('location_id', '=', filter.locationId);
  if (filter.serviceAreaId) {
    const areaId = filter.serviceAreaId;
    query = query.where('location_id', 'in', (qb) =>
      qb.selectFrom('location').select('location.id').where('service_area_id', '=', areaId),
    );
  }
  if (filter.specialty) query = query.where('specialties', '@>', one(filter.specialty));
  if (filter.language) query = query.where('languages', '@>', one(filter.language));
  if (filter.certification) query = query.where('certifications', '@>', one(filter.certification));
  if (filter.discipline) query = query.where('discipline', '=', filter.discipline);
  if (filter.status) query = query.where('status', '=', filter.status);
  return toPage(await query.execute(), page.limit, toClinician);
}

export async function updateClinician(
  db: Db,
  id: string,
  version: number,
  patch: ClinicianPatch,
): Promise<Clinician> {
  const row = await updateVersioned(db, 'clinician', id, version, {
    npi: patch.npi,
    name: patch.name,
    discipline: patch.discipline,
    specialties: patch.specialties,
    languages: patch.languages,
    certifications: patch.certifications,
    location_id: patch.locationId,
    fte: patch.fte,
    status: patch.status,
  });
  return toClinician(row);
}
