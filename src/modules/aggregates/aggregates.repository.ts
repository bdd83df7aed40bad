import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DischargeWindow } from '../patients/patients.domain.ts';
import type { EnrollmentArea, GroupCounts, PatientCounts } from './aggregates.domain.ts';

const noPatients: PatientCounts = {
  activeEnrollments: 0,
  waitlisted: 0,
  patientsHighRisk: 0,
  patientsRecentlyDischarged: 0,
  patientsPerinatal: 0,
};

/**
 * Exact enrollment figures per service area and group specialty, and per service area as a whole
 * (grouping sets: a null specialty is the area's row). Only counts leave the database: no patient
 * row is read into the application. A group belongs to the service area of its location.
 */
export async function countEnrollments(db: Db, recent: DischargeWindow): Promise<EnrollmentArea[]> {
  const groupRows = await db
    .selectFrom('therapy_group as g')
    .innerJoin('location as l', 'l.id', 'g.location_id')
    .innerJoin('service_area as sa', 'sa.id', 'l.service_area_id')
    .select((eb) => [
      'sa.code',
      'sa.name',
      sql<string | null>`g.specialty`.as('specialty'),
      eb.fn.countAll<number>().filterWhere('g.status', '=', 'active').as('groups'),
      eb.fn
        .coalesce(eb.fn.sum<number>('g.capacity').filterWhere('g.status', '=', 'active'), eb.lit(0))
        .as('seats'),
    ])
    .groupBy(sql`grouping sets ((sa.code, sa.name, g.specialty), (sa.code, sa.name))`)
    .execute();

  const patientRows = await db
    .selectFrom('enrollment as e')
    .innerJoin('therapy_group as g', 'g.id', 'e.group_id')
    .innerJoin('location as l', 'l.id', 'g.location_id')
    .innerJoin('service_area as sa', 'sa.id', 'l.service_area_id')
    .innerJoin('patient as p', 'p.id', 'e.patient_id')
    .where('e.status', 'in', ['active', 'waitlisted'])
    .select((eb) => {
      const patients = () => eb.fn.count<number>('e.patient_id').distinct();
      const activeAnd = (...conditions: Expression<SqlBool>[]) =>
        eb.and([eb('e.status', '=', 'active'), ...conditions]);
      return [
        'sa.code',
        sql<string | null>`g.specialty`.as('specialty'),
        patients().filterWhere(activeAnd()).as('activeEnrollments'),
        patients().filterWhere('e.status', '=', 'waitlisted').as('waitlisted'),
        patients()
          .filterWhere(activeAnd(eb('p.risk', '=', 'high')))
          .as('patientsHighRisk'),
        patients()
          .filterWhere(
            activeAnd(
              eb('p.discharged_at', '>=', recent.from),
              eb('p.discharged_at', '<=', recent.to),
            ),
          )
          .as('patientsRecentlyDischarged'),
        patients()
          .filterWhere(activeAnd(eb('p.perinatal', '=', true)))
          .as('patientsPerinatal'),
      ];
    })
    .groupBy(sql`grouping sets ((sa.code, g.specialty), (sa.code))`)
    .execute();

  const patientsOf = new Map<string, PatientCounts>();
  // Counts arrive as numbers on both engines (connect.ts parses bigint).
  for (const { code, specialty, ...counts } of patientRows) {
    patientsOf.set(`${code}\u0000${specialty ?? ''}`, counts);
  }

  const areas = new Map<string, EnrollmentArea>();
  const areaOf = (code: string, name: string): EnrollmentArea => {
    let area = areas.get(code);
    if (!area) {
      area = { code, name, cells: [], total: { groups: 0, seats: 0, patients: noPatients } };
      areas.set(code, area);
    }
    return area;
  };
  for (const row of groupRows) {
    const area = areaOf(row.code, row.name);
    const figures: GroupCounts & { patients: PatientCounts } = {
      groups: row.groups,
      seats: row.seats,
      patients: patientsOf.get(`${row.code}\u0000${row.specialty ?? ''}`) ?? noPatients,
    };
    if (row.specialty === null) area.total = figures;
    else area.cells.push({ specialty: row.specialty, ...figures });
  }
  return [...areas.values()];
}

/** One week's figures of days without care, before suppression. */
export interface CareGapWeekRow {
  week_ending: string;
  patients: number;
  never_seen: number;
  over_14_days: number;
  over_28_days: number;
  median_days: number | null;
}

/**
 * For each week ending on `days` (YYYY-MM-DD, UTC days): the patients in a course of treatment
 * that day (an enrollment begun and not ended, waitlists aside), and how long each had gone since
 * their last attended group session or appointment before the day's end.
 */
export async function careGapWeeks(
  db: Db,
  days: readonly string[],
  serviceAreaId: string | null,
): Promise<CareGapWeekRow[]> {
  const { rows } = await sql<CareGapWeekRow>`
    with week as (select unnest(${[...days]}::date[]) as day)
    select to_char(w.day, 'YYYY-MM-DD') as week_ending,
           count(*)::int as patients,
           count(*) filter (where c.last_care is null)::int as never_seen,
           count(*) filter (where c.last_care < w.day + 1 - interval '14 days')::int as over_14_days,
           count(*) filter (where c.last_care < w.day + 1 - interval '28 days')::int as over_28_days,
           (percentile_cont(0.5) within group (
              order by extract(epoch from ((w.day + 1)::timestamp at time zone 'UTC' - c.last_care)) / 86400
           ))::float8 as median_days
      from week w
      join lateral (
        select distinct e.patient_id
          from enrollment e
          join patient p on p.id = e.patient_id
         where e.status <> 'waitlisted'
           and e.starts_on <= w.day and (e.ends_on is null or e.ends_on >= w.day)
           and (${serviceAreaId}::uuid is null or p.service_area_id = ${serviceAreaId}::uuid)
      ) t on true
      left join lateral (
        select greatest(
          (select max(s.starts_at) from attendance a join group_session s on s.id = a.session_id
            where a.patient_id = t.patient_id and a.status = 'present'
              and s.starts_at < (w.day + 1)::timestamp at time zone 'UTC'),
          (select max(ap.starts_at) from appointment ap
            where ap.patient_id = t.patient_id and ap.status = 'attended'
              and ap.starts_at < (w.day + 1)::timestamp at time zone 'UTC')
        ) as last_care
      ) c on true
     group by w.day
     order by w.day`.execute(db);
  return rows;
}
