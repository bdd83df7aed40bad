import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.ts';
import { displacedPatientIdsSql } from '../disruptions/disruptions.repository.ts';
import type { Standard } from './rules.domain.ts';

/*
 * The timely-access rules of rules.domain.ts in SQL, for rates over a year of a region's requests
 * (loading them into Node.js would take too long). The same rules, read from the appointment
 * table: each `initial` or `follow_up` appointment is one request; its earliest offered
 * appointment is `first_offered_at`; a follow-up's prior appointment is the patient's last one
 * attended before the request; a cancellation's time is not recorded, so a patient's cancellation
 * counts as made in time. The test `timely-access.repository.test.ts` holds this query to
 * `assess` on random histories. Rates read the verdicts stored in access_verdict (kept by
 * patient-clocks.repository.ts from the same SQL), so that a month is an aggregate, not a
 * recomputation.
 */

export type VerdictStatus = 'met' | 'missed' | 'pending' | 'excepted';

export interface RequestFilter {
  /** Requests (or discharges) from `from` (inclusive) to `to` (exclusive). */
  from: Date;
  to: Date;
  /** Only the patients a disruption displaced (enrolled in a group it cancelled sessions of). */
  disruptionId?: string | undefined;
  /** Only one patient. */
  patientId?: string | undefined;
}

export interface RequestVerdict {
  appointmentId: string | null;
  patientId: string;
  standard: Standard;
  status: VerdictStatus;
  deadline: Date;
  serviceAreaId: string;
  specialty: string | null;
  network: 'in_network' | 'outside' | 'none';
}

/** The filter's patients, as a condition on a patient-id column. */
function patientFilter(filter: RequestFilter, column: string): RawBuilder<boolean> {
  const id = sql.raw(column);
  const displaced =
    filter.disruptionId === undefined
      ? sql<boolean>`true`
      : sql<boolean>`${id} in ${displacedPatientIdsSql(filter.disruptionId)}`;
  const one =
    filter.patientId === undefined ? sql<boolean>`true` : sql<boolean>`${id} = ${filter.patientId}`;
  return sql<boolean>`(${displaced} and ${one})`;
}

/**
 * One row per request and standard, independent of time: the verdict's `outcome` ('met',
 * 'excepted' or 'unmet') holds from `outcome_at` on (`-infinity` when the request's own data
 * decide it; the request itself for a patient's cancellation; the first visit in a discharge's
 * window); before that, and for 'unmet', a request is pending until its deadline, then missed
 * (statusSql). `period_at` is what a period selects by: the request, or the discharge. `which`
 * selects the patients (a condition on `p.id`); `period`, when given, the requests. The one
 * definition of the verdicts: the live ones and the stored ones (access_verdict) both read it.
 */
export function verdictRowsSql(
  which: RawBuilder<boolean>,
  period: { from: Date; to: Date } | null,
  timeZone: string,
) {
  const inPeriod = (column: RawBuilder<unknown>) =>
    period === null ? sql`true` : sql`${column} >= ${period.from} and ${column} < ${period.to}`;
  return sql`
    with req as (
      select a.id, a.patient_id, a.kind, a.urgency, a.prior_authorization, a.requested_at,
             a.first_offered_at, a.cancelled_by, a.interval_override_note,
             c.discipline, p.service_area_id, p.conditions[1] as specialty,
             case when a.clinician_id is not null then 'in_network'
                  when a.provider_id is not null then 'outside' else 'none' end as network,
             prior.at as prior_at
        from appointment a
        join patient p on p.id = a.patient_id
        left join clinician c on c.id = a.clinician_id
        -- A lateral join, not a scalar subquery: the planner would repeat one per reference.
        left join lateral (
          select max(x.starts_at) as at from appointment x
           where x.patient_id = a.patient_id and x.status = 'attended'
             and x.starts_at < a.requested_at) prior on true
       where a.kind in ('initial', 'follow_up')
         and ${inPeriod(sql`a.requested_at`)}
         and ${which}
    ), std as (
      select req.*,
             case when urgency = 'urgent' and prior_authorization then 'urgent_96_hours'
                  when urgency = 'urgent' then 'urgent_48_hours'
                  when kind = 'initial' and discipline = 'psychiatrist'
                    then 'initial_15_business_days'
                  when kind = 'initial' then 'initial_10_business_days'
                  when prior_at is not null and discipline is distinct from 'psychiatrist'
                    then 'follow_up_10_business_days'
             end as standard
        from req
    ), clock as (
      select std.*,
             case when standard = 'follow_up_10_business_days' then prior_at
                  else requested_at end as clock_start,
             case when standard = 'initial_15_business_days' then 15 else 10 end as days
        from std where standard is not null
    ), due as (
      select clock.*,
             case when standard = 'urgent_48_hours' then clock_start + interval '48 hours'
                  when standard = 'urgent_96_hours' then clock_start + interval '96 hours'
                  else (nth.day + 1)::timestamp at time zone ${timeZone}
             end as deadline
        from clock
        left join lateral (
          select b2.day from business_day b1
            join business_day b2 on b2.ordinal = b1.ordinal + clock.days and b2.business
           where b1.day = (clock.clock_start at time zone ${timeZone})::date) nth on true
    ), access as (
      select id as appointment_id, patient_id, standard, deadline, requested_at as period_at,
             service_area_id, specialty, network,
             case when first_offered_at >= clock_start and first_offered_at < deadline then 'met'
                  when nullif(btrim(interval_override_note), '') is not null then 'excepted'
                  when cancelled_by = 'patient' then 'excepted'
                  else 'unmet' end as outcome,
             case when first_offered_at >= clock_start and first_offered_at < deadline
                    then '-infinity'::timestamptz
                  when nullif(btrim(interval_override_note), '') is not null
                    then '-infinity'::timestamptz
                  when cancelled_by = 'patient' then requested_at end as outcome_at
        from due
    ), discharge as (
      select p.id as patient_id, p.discharged_at, p.service_area_id,
             p.conditions[1] as specialty, w.days,
             ((p.discharged_at at time zone ${timeZone})::date + 1)::timestamp
               at time zone ${timeZone} as counts_from,
             ((p.discharged_at at time zone ${timeZone})::date + w.days + 1)::timestamp
               at time zone ${timeZone} as due_before
        from patient p cross join (values (7), (30)) as w(days)
       where p.discharged_at is not null and ${inPeriod(sql`p.discharged_at`)} and ${which}
    ), fuh as (
      select null::uuid as appointment_id, d.patient_id,
             case when d.days = 7 then 'fuh_7_days' else 'fuh_30_days' end as standard,
             d.due_before as deadline, d.discharged_at as period_at, d.service_area_id,
             d.specialty, 'none' as network,
             case when v.first is null then 'unmet' else 'met' end as outcome,
             v.first as outcome_at
        from discharge d
        cross join lateral (
          select min(v.starts_at) as first from appointment v
           where v.patient_id = d.patient_id and v.status = 'attended'
             and v.starts_at >= d.counts_from and v.starts_at < d.due_before) v
    )
    select * from access union all select * from fuh`;
}

/** A verdict's status at `now`, from its outcome, the instant it holds from, and its deadline. */
export function verdictStatusSql(now: Date): RawBuilder<VerdictStatus> {
  return sql<VerdictStatus>`case when outcome_at <= ${now} then outcome
    when ${now} < deadline then 'pending' else 'missed' end`;
}

/** One row per request and standard, with its verdict at `now`, computed live. */
function verdictsSql(filter: RequestFilter, now: Date, timeZone: string) {
  return sql`select appointment_id, patient_id, standard, ${verdictStatusSql(now)} as status,
         deadline, service_area_id, specialty, network
    from (${verdictRowsSql(patientFilter(filter, 'p.id'), filter, timeZone)}) v`;
}

/** The same from access_verdict: the caller refreshes it first (refreshPatientClocks). */
function storedVerdictsSql(filter: RequestFilter, now: Date) {
  return sql`select appointment_id, patient_id, standard, ${verdictStatusSql(now)} as status,
         deadline, service_area_id, specialty, network
    from access_verdict
   where period_at >= ${filter.from} and period_at < ${filter.to}
     and ${patientFilter(filter, 'patient_id')}`;
}

/** Every request's verdict computed live, for tests and one patient's drill-down. */
export async function requestVerdicts(
  db: Db,
  filter: RequestFilter,
  now: Date,
  timeZone: string,
): Promise<RequestVerdict[]> {
  const { rows } = await sql<{
    appointment_id: string | null;
    patient_id: string;
    standard: Standard;
    status: VerdictStatus;
    deadline: Date;
    service_area_id: string;
    specialty: string | null;
    network: RequestVerdict['network'];
  }>`select * from (${verdictsSql(filter, now, timeZone)}) v
      order by v.patient_id, v.standard, v.appointment_id`.execute(db);
  return rows.map((r) => ({
    appointmentId: r.appointment_id,
    patientId: r.patient_id,
    standard: r.standard,
    status: r.status,
    deadline: r.deadline,
    serviceAreaId: r.service_area_id,
    specialty: r.specialty,
    network: r.network,
  }));
}

export const groupings = ['standard', 'service_area', 'specialty', 'network'] as const;
export type Grouping = (typeof groupings)[number];

export interface RateRow {
  standard: Standard;
  /** The group's key: a service area id, a specialty, a network, or 'all'. */
  group: string;
  met: number;
  missed: number;
  excepted: number;
  pending: number;
}

const groupColumn = {
  standard: sql<string>`'all'`,
  service_area: sql<string>`v.service_area_id::text`,
  specialty: sql<string>`coalesce(v.specialty, 'unknown')`,
  network: sql<string>`v.network`,
} as const satisfies Record<Grouping, RawBuilder<string>>;

/**
 * The rates query itself (benchmarks print its plan): over access_verdict, which the caller
 * refreshes first (refreshPatientClocks), or `live` from the appointments (tests compare them).
 */
export function ratesQuery(
  filter: RequestFilter,
  groupBy: Grouping,
  now: Date,
  timeZone: string,
  source: 'stored' | 'live' = 'stored',
): RawBuilder<RateRow> {
  const key = groupColumn[groupBy];
  return sql<RateRow>`
    select v.standard, ${key} as "group",
           count(*) filter (where v.status = 'met')::int as met,
           count(*) filter (where v.status = 'missed')::int as missed,
           count(*) filter (where v.status = 'excepted')::int as excepted,
           count(*) filter (where v.status = 'pending')::int as pending
      from (${source === 'live' ? verdictsSql(filter, now, timeZone) : storedVerdictsSql(filter, now)}) v
     group by 1, 2
     order by 1, 2`;
}

/** Counts by standard and group, computed in the database (see ratesQuery). */
export async function rates(
  db: Db,
  filter: RequestFilter,
  groupBy: Grouping,
  now: Date,
  timeZone: string,
  source: 'stored' | 'live' = 'stored',
): Promise<RateRow[]> {
  return (await ratesQuery(filter, groupBy, now, timeZone, source).execute(db)).rows;
}
