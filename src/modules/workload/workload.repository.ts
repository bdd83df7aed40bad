import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { ClinicianWeekInput } from './workload.domain.ts';

/**
 * Each active clinician's week in [from, to): individual appointments booked or attended, hours
 * of group sessions they facilitate that were not cancelled, and the distinct patients they saw
 * each local day (an attended appointment, or present at a session they facilitate).
 */
export async function clinicianWeeks(
  db: Db,
  filter: {
    from: Date;
    to: Date;
    serviceAreaId?: string | undefined;
    clinicianId?: string | undefined;
  },
  timeZone: string,
): Promise<ClinicianWeekInput[]> {
  const area =
    filter.serviceAreaId === undefined
      ? sql`true`
      : sql`l.service_area_id = ${filter.serviceAreaId}`;
  const one = filter.clinicianId === undefined ? sql`true` : sql`c.id = ${filter.clinicianId}`;
  const { rows } = await sql<{
    id: string;
    name: string;
    service_area_id: string;
    fte: number;
    appointments: number;
    group_hours: number;
    by_day: Record<string, number> | null;
  }>`
    select c.id, c.name, l.service_area_id, c.fte,
           (select count(*)::int from appointment a
             where a.clinician_id = c.id and a.status in ('booked', 'attended')
               and a.starts_at >= ${filter.from} and a.starts_at < ${filter.to}) as appointments,
           (select coalesce(sum(extract(epoch from s.ends_at - s.starts_at) / 3600), 0)::float8
              from group_facilitator f join group_session s on s.group_id = f.group_id
             where f.clinician_id = c.id and s.status <> 'cancelled'
               and s.starts_at >= ${filter.from} and s.starts_at < ${filter.to}) as group_hours,
           (select jsonb_object_agg(day, n) from (
              select day, count(distinct patient_id)::int as n from (
                select a.patient_id, (a.starts_at at time zone ${timeZone})::date::text as day
                  from appointment a
                 where a.clinician_id = c.id and a.status = 'attended'
                   and a.starts_at >= ${filter.from} and a.starts_at < ${filter.to}
                union all
                select t.patient_id, (s.starts_at at time zone ${timeZone})::date::text
                  from group_facilitator f
                  join group_session s on s.group_id = f.group_id
                  join attendance t on t.session_id = s.id and t.status = 'present'
                 where f.clinician_id = c.id
                   and s.starts_at >= ${filter.from} and s.starts_at < ${filter.to}) seen
              group by day) per_day) as by_day
      from clinician c join location l on l.id = c.location_id
     where c.status = 'active' and ${area} and ${one}
     order by c.id`.execute(db);
  return rows.map((r) => ({
    clinicianId: r.id,
    name: r.name,
    serviceAreaId: r.service_area_id,
    fte: r.fte,
    appointments: r.appointments,
    groupHours: r.group_hours,
    patientsByDay: r.by_day ?? {},
  }));
}
