import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { RiskTier } from '../matching/risk.domain.ts';

/*
 * Care gaps: for every patient in a course of treatment (an active enrollment, or an individual
 * visit attended in the last 90 days), the last care attended, the next deadline and whether it
 * will be met. The deadline is HEDIS FUH's while a discharge's window is open and unmet (7 days,
 * then 30), else SB 221's follow-up: 10 business days after the last care (or after the start of
 * the enrollment, for a patient not yet seen). The next scheduled care (a booked visit, or a
 * session of a group the patient is active in) meets it when it starts before the deadline.
 * Status: `overdue` when the deadline has passed unmet; `at_risk` when it falls within 2 business
 * days and nothing scheduled meets it; `on_track` otherwise. Computed in SQL, in the same terms as
 * risk.domain.ts (tiers) and rules.domain.ts (deadlines). The region's worklist reads each
 * patient's clock stored in care_clock (kept by patient-clocks.repository.ts from clocksSql below),
 * so that a page is an index range read; the status alone is worked out at read time.
 */

export const gapStatuses = ['overdue', 'at_risk', 'on_track'] as const;
export type GapStatus = (typeof gapStatuses)[number];

export interface CareGap {
  patientId: string;
  serviceAreaId: string;
  specialty: string | null;
  tier: RiskTier;
  lastCareAt: Date | null;
  daysWithoutCare: number | null;
  standard: 'fuh_7_days' | 'fuh_30_days' | 'follow_up_10_business_days';
  deadline: Date;
  nextCareAt: Date | null;
  status: GapStatus;
}

export interface CareGapFilter {
  status?: GapStatus | undefined;
  serviceAreaId?: string | undefined;
  specialty?: string | undefined;
  patientId?: string | undefined;
}

/** Position in the worklist: tier rank, deadline, patient id. */
export interface GapCursor {
  rank: number;
  deadline: Date;
  patientId: string;
}

/** The n-th business day after a local date (null outside the calendar). */
function businessDayAfter(day: RawBuilder<unknown>, n: number): RawBuilder<unknown> {
  return sql`(select b2.day from business_day b1
                join business_day b2 on b2.ordinal = b1.ordinal + ${n} and b2.business
               where b1.day = ${day})`;
}

/**
 * Each patient's clock as of `now`, for the patients `which` selects (a condition on `p`),
 * whether in a course of treatment or not (`in_course`), with `valid_until`: the first instant
 * after `now` at which time alone changes any column (the next care starting, an attended visit's
 * start passing, the last visit leaving the 90 days, a discharge's 7-day and 31-day edges), null
 * when none will; and `valid_from`, the last such instant at or before `now` (null: none), so that
 * the row holds for any time in [valid_from, valid_until). The status is not here: it is read at `now` from the deadline (statusSql). The
 * one definition of the clocks: the live worklist and the stored one (care_clock) both read it.
 */
export function clocksSql(which: RawBuilder<boolean>, now: Date, timeZone: string) {
  const midnight = (day: RawBuilder<unknown>) => sql`(${day})::timestamp at time zone ${timeZone}`;
  const after = (at: RawBuilder<unknown>) => sql`case when ${at} > ${now} then ${at} end`;
  const before = (at: RawBuilder<unknown>) => sql`case when ${at} <= ${now} then ${at} end`;
  return sql`
    -- Materialized: its subqueries run once a patient, however often later steps read them.
    with course as materialized (
      select p.id as patient_id, p.service_area_id, p.conditions[1] as specialty, p.risk,
             p.perinatal, p.discharged_at,
             (p.conditions && array['perinatal_psychosis_risk']
               or (p.perinatal and p.conditions && array['psychosis'])) as psychosis_risk,
             (en.active or coalesce(seen.at > ${now}::timestamptz - interval '90 days', false))
               as in_course,
             seen.at as last_visit_at,
             greatest(
               seen.at,
               (select max(s.starts_at) from attendance t
                  join group_session s on s.id = t.session_id
                 where t.patient_id = p.id and t.status = 'present' and s.starts_at <= ${now})
             ) as last_care_at,
             least(
               (select min(a.starts_at) from appointment a
                 where a.patient_id = p.id and a.status = 'attended' and a.starts_at > ${now}),
               (select min(s.starts_at) from attendance t
                  join group_session s on s.id = t.session_id
                 where t.patient_id = p.id and t.status = 'present' and s.starts_at > ${now})
             ) as next_attended_at,
             en.enrolled_on,
             (select max(a.starts_at) from appointment a
               where a.patient_id = p.id and a.status = 'attended'
                 and a.starts_at <= ${now}::timestamptz - interval '90 days')
               + interval '90 days' as visit_left_at,
             greatest(
               (select max(a.starts_at) from appointment a
                 where a.patient_id = p.id and a.status = 'booked' and a.starts_at <= ${now}),
               (select max(s.starts_at) from enrollment e
                  join group_session s on s.group_id = e.group_id
                 where e.patient_id = p.id and e.status = 'active' and s.status = 'scheduled'
                   and s.starts_at <= ${now})
             ) as last_due_at,
             least(
               (select min(a.starts_at) from appointment a
                 where a.patient_id = p.id and a.status = 'booked' and a.starts_at > ${now}),
               (select min(s.starts_at) from enrollment e
                  join group_session s on s.group_id = e.group_id
                 where e.patient_id = p.id and e.status = 'active' and s.status = 'scheduled'
                   and s.starts_at > ${now})
             ) as next_care_at
        from patient p
        cross join lateral (
          select max(a.starts_at) as at from appointment a
           where a.patient_id = p.id and a.status = 'attended' and a.starts_at <= ${now}) seen
        cross join lateral (
          select min(e.starts_on) as enrolled_on, count(*) > 0 as active from enrollment e
           where e.patient_id = p.id and e.status = 'active') en
       where ${which}
    ), fuh as (
      select course.*,
             (discharged_at at time zone ${timeZone})::date as discharge_day,
             discharged_at is not null
               and discharged_at <= ${now}
               and ${now} < ${midnight(sql`(discharged_at at time zone ${timeZone})::date + 31`)}
               as recently_discharged
        from course
    ), clocked as (
      select fuh.*,
             case when recently_discharged
                       and not coalesce(last_care_at >= ${midnight(sql`discharge_day + 1`)}, false)
                  then case when ${now} < ${midnight(sql`discharge_day + 8`)}
                            then 'fuh_7_days' else 'fuh_30_days' end
                  else 'follow_up_10_business_days' end as standard
        from fuh
    ), due as (
      select clocked.*,
             case when standard = 'fuh_7_days' then ${midnight(sql`discharge_day + 8`)}
                  when standard = 'fuh_30_days' then ${midnight(sql`discharge_day + 31`)}
                  else ${midnight(
                    sql`${businessDayAfter(
                      sql`coalesce((last_care_at at time zone ${timeZone})::date, enrolled_on)`,
                      10,
                    )} + 1`,
                  )}
             end as deadline
        from clocked
    )
    select patient_id, in_course, service_area_id, specialty, last_care_at, next_care_at,
           enrolled_on, discharged_at, standard, deadline,
           case when psychosis_risk then 'urgent'
                when recently_discharged then 'recent_discharge'
                when risk = 'high' then 'high'
                when perinatal then 'perinatal'
                else 'standard' end as tier,
           case when psychosis_risk then 0 when recently_discharged then 1
                when risk = 'high' then 2 when perinatal then 3 else 4 end as rank,
           least(
             next_attended_at,
             next_care_at,
             ${after(sql`last_visit_at + interval '90 days'`)},
             ${after(sql`discharged_at`)},
             ${after(midnight(sql`discharge_day + 8`))},
             ${after(midnight(sql`discharge_day + 31`))}
           ) as valid_until,
           greatest(
             last_care_at,
             last_due_at,
             visit_left_at,
             ${before(sql`discharged_at`)},
             ${before(midnight(sql`discharge_day + 8`))},
             ${before(midnight(sql`discharge_day + 31`))}
           ) as valid_from
      from due`;
}

/** A clock's status at `now`, from its `deadline` and `next_care_at` (see the file comment). */
export function statusSql(now: Date, timeZone: string): RawBuilder<GapStatus> {
  const today = sql`(${now}::timestamptz at time zone ${timeZone})::date`;
  return sql<GapStatus>`case when ${now} >= deadline then 'overdue'
    when (next_care_at is null or next_care_at >= deadline)
     and ${businessDayAfter(today, 2)} >= (deadline at time zone ${timeZone})::date - 1
      then 'at_risk'
    else 'on_track' end`;
}

/** The filter's conditions on the given columns (the patient table's, or care_clock's). */
function filterSql(
  filter: CareGapFilter,
  columns: { serviceAreaId: string; specialty: string; patientId: string },
): RawBuilder<boolean> {
  const eq = (column: string, value: string | undefined) =>
    value === undefined ? sql`true` : sql`${sql.raw(column)} = ${value}`;
  return sql<boolean>`(${eq(columns.serviceAreaId, filter.serviceAreaId)}
    and ${eq(columns.specialty, filter.specialty)}
    and ${eq(columns.patientId, filter.patientId)})`;
}

interface GapRow {
  patient_id: string;
  service_area_id: string;
  specialty: string | null;
  last_care_at: Date | null;
  next_care_at: Date | null;
  standard: CareGap['standard'];
  deadline: Date;
  tier: RiskTier;
  rank: number;
  status: GapStatus;
}

type Page = { after: GapCursor | null; limit: number };

/** One page of gaps from `source` (rows with the clock's columns, `status` included). */
async function pageOf(
  db: Db,
  source: RawBuilder<unknown>,
  filter: CareGapFilter,
  page: Page,
  now: Date,
): Promise<{ items: CareGap[]; last: GapCursor | null; hasMore: boolean }> {
  const after =
    page.after === null
      ? sql`true`
      : sql`(g.rank, g.deadline, g.patient_id) > (${page.after.rank}, ${page.after.deadline}, ${page.after.patientId})`;
  const status = filter.status === undefined ? sql`true` : sql`g.status = ${filter.status}`;
  const { rows } = await sql<GapRow>`
    select * from (${source}) g
     where ${status} and ${after}
     order by g.rank, g.deadline, g.patient_id
     limit ${page.limit + 1}`.execute(db);
  const kept = rows.slice(0, page.limit);
  const lastRow = kept.at(-1);
  return {
    items: kept.map((r) => ({
      patientId: r.patient_id,
      serviceAreaId: r.service_area_id,
      specialty: r.specialty,
      tier: r.tier,
      lastCareAt: r.last_care_at,
      daysWithoutCare:
        r.last_care_at === null
          ? null
          : Math.max(0, Math.floor((now.getTime() - r.last_care_at.getTime()) / 86_400_000)),
      standard: r.standard,
      deadline: r.deadline,
      nextCareAt: r.next_care_at,
      status: r.status,
    })),
    last: lastRow
      ? { rank: lastRow.rank, deadline: lastRow.deadline, patientId: lastRow.patient_id }
      : null,
    hasMore: rows.length > page.limit,
  };
}

/**
 * The worklist computed live from the care tables, worst tier first, then the nearest deadline,
 * then patient id: exact at any `now` and in any transaction, cheap for one patient (a referral's
 * deadline, a patient's clocks), too slow for a region (that is careGapWorklist's job).
 */
export async function listCareGaps(
  db: Db,
  filter: CareGapFilter,
  page: Page,
  now: Date,
  timeZone: string,
): Promise<{ items: CareGap[]; last: GapCursor | null; hasMore: boolean }> {
  const which = filterSql(filter, {
    serviceAreaId: 'p.service_area_id',
    specialty: 'p.conditions[1]',
    patientId: 'p.id',
  });
  const source = sql`select c.*, ${statusSql(now, timeZone)} as status
    from (${clocksSql(which, now, timeZone)}) c
   where c.in_course and c.deadline is not null`;
  return pageOf(db, source, filter, page, now);
}

/**
 * The same worklist read from care_clock: the caller refreshes it first
 * (refreshPatientClocks), so that every row is current at `now`; an index range read.
 */
export async function careGapWorklist(
  db: Db,
  filter: CareGapFilter,
  page: Page,
  now: Date,
  timeZone: string,
): Promise<{ items: CareGap[]; last: GapCursor | null; hasMore: boolean }> {
  const which = filterSql(filter, {
    serviceAreaId: 'c.service_area_id',
    specialty: 'c.specialty',
    patientId: 'c.patient_id',
  });
  const source = sql`select c.patient_id, c.service_area_id, c.specialty, c.last_care_at,
         c.next_care_at, c.standard, c.deadline, c.tier, c.rank,
         ${statusSql(now, timeZone)} as status
    from care_clock c
   where c.in_course and c.deadline is not null and ${which}`;
  return pageOf(db, source, filter, page, now);
}
