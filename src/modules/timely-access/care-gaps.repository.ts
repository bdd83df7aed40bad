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
 * risk.domain.ts (tiers) and rules.domain.ts (deadlines), so a region's worklist is one query.
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

function gapsSql(filter: CareGapFilter, now: Date, timeZone: string): RawBuilder<unknown> {
  const where = [
    filter.serviceAreaId === undefined
      ? sql`true`
      : sql`p.service_area_id = ${filter.serviceAreaId}`,
    filter.specialty === undefined ? sql`true` : sql`p.conditions[1] = ${filter.specialty}`,
    filter.patientId === undefined ? sql`true` : sql`p.id = ${filter.patientId}`,
  ];
  const today = sql`(${now}::timestamptz at time zone ${timeZone})::date`;
  const midnightAfter = (day: RawBuilder<unknown>) =>
    sql`((${day}) + 1)::timestamp at time zone ${timeZone}`;
  const businessDayAfter = (day: RawBuilder<unknown>, n: number) =>
    sql`(select b2.day from business_day b1
           join business_day b2 on b2.ordinal = b1.ordinal + ${n} and b2.business
          where b1.day = ${day})`;
  return sql`
    -- Materialized: its subqueries run once a patient, however often later steps read them.
    with course as materialized (
      select p.id, p.service_area_id, p.conditions[1] as specialty, p.risk, p.perinatal,
             p.discharged_at,
             (p.conditions && array['perinatal_psychosis_risk']
               or (p.perinatal and p.conditions && array['psychosis'])) as psychosis_risk,
             greatest(
               (select max(a.starts_at) from appointment a
                 where a.patient_id = p.id and a.status = 'attended' and a.starts_at <= ${now}),
               (select max(s.starts_at) from attendance t
                  join group_session s on s.id = t.session_id
                 where t.patient_id = p.id and t.status = 'present' and s.starts_at <= ${now})
             ) as last_care_at,
             (select min(e.starts_on) from enrollment e
               where e.patient_id = p.id and e.status = 'active') as enrolled_on,
             least(
               (select min(a.starts_at) from appointment a
                 where a.patient_id = p.id and a.status = 'booked' and a.starts_at > ${now}),
               (select min(s.starts_at) from enrollment e
                  join group_session s on s.group_id = e.group_id
                 where e.patient_id = p.id and e.status = 'active' and s.status = 'scheduled'
                   and s.starts_at > ${now})
             ) as next_care_at
        from patient p
       where ${sql.join(where, sql` and `)}
         and (exists (select 1 from enrollment e where e.patient_id = p.id and e.status = 'active')
              or exists (select 1 from appointment a
                          where a.patient_id = p.id and a.status = 'attended'
                            and a.starts_at > ${now}::timestamptz - interval '90 days'
                            and a.starts_at <= ${now}))
    ), fuh as (
      select course.*,
             (discharged_at at time zone ${timeZone})::date as discharge_day,
             discharged_at is not null
               and discharged_at <= ${now}
               and ${now} < ((discharged_at at time zone ${timeZone})::date + 31)::timestamp
                              at time zone ${timeZone} as recently_discharged
        from course
    ), clocked as (
      select fuh.*,
             case when recently_discharged
                       and not coalesce(last_care_at >= (discharge_day + 1)::timestamp
                                          at time zone ${timeZone}, false)
                  then case when ${now} < ${midnightAfter(sql`discharge_day + 7`)}
                            then 'fuh_7_days' else 'fuh_30_days' end
                  else 'follow_up_10_business_days' end as standard
        from fuh
    ), due as (
      select clocked.*,
             case when standard = 'fuh_7_days' then ${midnightAfter(sql`discharge_day + 7`)}
                  when standard = 'fuh_30_days' then ${midnightAfter(sql`discharge_day + 30`)}
                  else ${midnightAfter(
                    businessDayAfter(
                      sql`coalesce((last_care_at at time zone ${timeZone})::date, enrolled_on)`,
                      10,
                    ),
                  )}
             end as deadline
        from clocked
    )
    select due.id as patient_id, due.service_area_id, due.specialty, due.last_care_at,
           due.next_care_at, due.standard, due.deadline,
           case when psychosis_risk then 'urgent'
                when recently_discharged then 'recent_discharge'
                when risk = 'high' then 'high'
                when perinatal then 'perinatal'
                else 'standard' end as tier,
           case when psychosis_risk then 0 when recently_discharged then 1
                when risk = 'high' then 2 when perinatal then 3 else 4 end as rank,
           case when ${now} >= deadline then 'overdue'
                when (next_care_at is null or next_care_at >= deadline)
                 and ${businessDayAfter(today, 2)} >= (deadline at time zone ${timeZone})::date - 1
                  then 'at_risk'
                else 'on_track' end as status
      from due
     where deadline is not null`;
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

/** The worklist, worst tier first, then the nearest deadline, then patient id. */
export async function listCareGaps(
  db: Db,
  filter: CareGapFilter,
  page: { after: GapCursor | null; limit: number },
  now: Date,
  timeZone: string,
): Promise<{ items: CareGap[]; last: GapCursor | null; hasMore: boolean }> {
  const after =
    page.after === null
      ? sql`true`
      : sql`(g.rank, g.deadline, g.patient_id) > (${page.after.rank}, ${page.after.deadline}, ${page.after.patientId})`;
  const status = filter.status === undefined ? sql`true` : sql`g.status = ${filter.status}`;
  const { rows } = await sql<GapRow>`
    select * from (${gapsSql(filter, now, timeZone)}) g
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
