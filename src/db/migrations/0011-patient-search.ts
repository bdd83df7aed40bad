import { sql, type Kysely } from 'kysely';

/*
 * Patient searches within a service area (`GET /patients?serviceAreaId=…` with a risk, a
 * language, perinatal, or a recent discharge) return pages in id order. With only the area's
 * index, a page of a rare language filtered thousands of the area's rows each time; these serve
 * each search as a range of one index, already in id order (a recent discharge: the few in the
 * window, then sorted).
 */

const indexes = {
  patient_area_risk_idx: 'on patient (service_area_id, risk, id)',
  patient_area_language_idx: 'on patient (service_area_id, language, id)',
  patient_area_perinatal_idx: 'on patient (service_area_id, id) where perinatal',
  patient_area_discharged_idx:
    'on patient (service_area_id, discharged_at) where discharged_at is not null',
};

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, definition] of Object.entries(indexes))
    await sql.raw(`create index ${name} ${definition}`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of Object.keys(indexes))
    await sql.raw(`drop index if exists ${name}`).execute(db);
}
