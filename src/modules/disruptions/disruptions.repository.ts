import { sql, type RawBuilder } from 'kysely';
import { uuidArray } from '../../db/arrays.ts';
import type { Db, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { updateVersioned } from '../../db/versioned.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../../shared/page.ts';
import type { Risk } from '../patients/patients.domain.ts';
import type { Need, Specialty } from '../vocabulary/vocabulary.domain.ts';
import {
  scopeOf,
  type Disruption,
  type DisruptionFilter,
  type DisruptionKind,
  type DisruptionScope,
  type DisruptionStatus,
  type NewDisruption,
} from './disruptions.domain.ts';

// The CHECKs on kind and status hold them to the domain's unions.
function toDisruption(row: Row<'disruption'>): Disruption {
  return {
    id: row.id,
    kind: row.kind as DisruptionKind,
    title: row.title,
    scope: scopeOf(row.scope),
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    status: row.status as DisruptionStatus,
    appliedAt: row.applied_at,
    endedAt: row.ended_at,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const scopeJson = (scope: DisruptionScope): Record<string, unknown> => ({ ...scope });

export async function insertDisruption(db: Db, input: NewDisruption): Promise<Disruption> {
  const row = await withDbErrors(() =>
    db
      .insertInto('disruption')
      .values({
        id: uuidv7(),
        kind: input.kind,
        title: input.title,
        scope: scopeJson(input.scope),
        starts_on: input.startsOn,
        ends_on: input.endsOn ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toDisruption(row);
}

/** With `lock`, holds the row until the transaction ends, so applying and ending queue up. */
export async function findDisruption(
  db: Db,
  id: string,
  lock = false,
): Promise<Disruption | undefined> {
  let query = db.selectFrom('disruption').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toDisruption(row);
}

export async function listDisruptions(
  db: Db,
  filter: DisruptionFilter,
  page: PageRequest,
): Promise<Page<Disruption>> {
  let query = db
    .selectFrom('disruption')
    .selectAll()
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor));
  if (filter.status) query = query.where('status', '=', filter.status);
  return toPage(await query.execute(), page.limit, toDisruption);
}

/** Throws NOT_FOUND or VERSION_CONFLICT. */
export async function updateDisruption(
  db: Db,
  id: string,
  version: number,
  patch: {
    kind?: DisruptionKind | undefined;
    title?: string | undefined;
    scope?: DisruptionScope | undefined;
    startsOn?: string | undefined;
    endsOn?: string | null | undefined;
    status?: DisruptionStatus | undefined;
    appliedAt?: Date | undefined;
    endedAt?: Date | undefined;
  },
): Promise<Disruption> {
  const row = await updateVersioned(db, 'disruption', id, version, {
    kind: patch.kind,
    title: patch.title,
    scope: patch.scope && scopeJson(patch.scope),
    starts_on: patch.startsOn,
    ends_on: patch.endsOn,
    status: patch.status,
    applied_at: patch.appliedAt,
    ended_at: patch.endedAt,
  });
  return toDisruption(row);
}

/**
 * The groups a scope covers (see `groupInScope`, which says the same in code): named, at a named
 * location or in a named service area, or with every facilitator named.
 */
function groupInScopeSql(scope: DisruptionScope): RawBuilder<boolean> {
  return sql<boolean>`(
    g.id = any(${uuidArray(scope.groupIds)})
    or g.location_id = any(${uuidArray(scope.locationIds)})
    or l.service_area_id = any(${uuidArray(scope.serviceAreaIds)})
    or (exists (select 1 from group_facilitator f where f.group_id = g.id)
        and not exists (select 1 from group_facilitator f
                         where f.group_id = g.id
                           and f.clinician_id <> all(${uuidArray(scope.clinicianIds)}))))`;
}

export interface ImpactSession {
  id: string;
  groupId: string;
  startsAt: Date;
  /** Already cancelled by this disruption (true), or still scheduled and to be cancelled. */
  cancelled: boolean;
}

export interface ImpactGroup {
  id: string;
  name: string;
  specialty: Specialty;
  serviceAreaId: string;
  capacity: number;
}

/**
 * The sessions the disruption cancels or has cancelled: those in scope and in its window that are
 * still scheduled, or were cancelled by it. Earliest first.
 */
export async function impactSessions(
  db: Db,
  disruption: Disruption,
  window: { from: Date; until: Date | null },
): Promise<{ sessions: ImpactSession[]; groups: ImpactGroup[] }> {
  const { rows } = await sql<{
    id: string;
    group_id: string;
    starts_at: Date;
    status: string;
    name: string;
    specialty: string;
    service_area_id: string;
    capacity: number;
  }>`
    select s.id, s.group_id, s.starts_at, s.status, g.name, g.specialty, l.service_area_id,
           g.capacity
      from group_session s
      join therapy_group g on g.id = s.group_id
      join location l on l.id = g.location_id
     where ((s.status = 'scheduled' and ${groupInScopeSql(disruption.scope)}
             and s.starts_at >= ${window.from}
             and (${window.until}::timestamptz is null or s.starts_at < ${window.until}))
            or s.disruption_id = ${disruption.id})
     order by s.starts_at, s.id`.execute(db);
  const groups = new Map<string, ImpactGroup>();
  for (const row of rows)
    groups.set(row.group_id, {
      id: row.group_id,
      name: row.name,
      specialty: row.specialty as Specialty,
      serviceAreaId: row.service_area_id,
      capacity: row.capacity,
    });
  return {
    sessions: rows.map((row) => ({
      id: row.id,
      groupId: row.group_id,
      startsAt: row.starts_at,
      cancelled: row.status === 'cancelled',
    })),
    groups: [...groups.values()],
  };
}

/** Cancels the given sessions that are still scheduled, for the disruption; returns how many. */
export async function cancelSessions(
  db: Db,
  sessionIds: readonly string[],
  disruptionId: string,
  reason: string,
): Promise<number> {
  if (sessionIds.length === 0) return 0;
  const result = await db
    .updateTable('group_session')
    .set({ status: 'cancelled', cancel_reason: reason, disruption_id: disruptionId })
    .where('id', '=', sql<string>`any(${uuidArray(sessionIds)})`)
    .where('status', '=', 'scheduled')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Puts back on the schedule the sessions the disruption cancelled from `from` on. */
export async function resumeSessions(db: Db, disruptionId: string, from: Date): Promise<number> {
  const result = await db
    .updateTable('group_session')
    .set({ status: 'scheduled', cancel_reason: null, disruption_id: null })
    .where('disruption_id', '=', disruptionId)
    .where('status', '=', 'cancelled')
    .where('starts_at', '>=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A patient who loses care, as far as the disruption and re-matching need to know. */
export interface DisplacedRow {
  id: string;
  mrn: string;
  name: string;
  serviceAreaId: string;
  language: string;
  lat: number;
  lon: number;
  needs: Need[];
  conditions: Specialty[];
  risk: Risk;
  perinatal: boolean;
  dischargedAt: Date | null;
  /** The disrupted groups the patient is actively enrolled in. */
  lostGroupIds: string[];
  /** Facilitators of every group the patient is actively enrolled in. */
  ownClinicianIds: string[];
  /** The last session attended or visit attended before `now`; null when never seen. */
  lastCareAt: Date | null;
}

/**
 * Who loses care: the patients actively enrolled in any of `groupIds` now (a disruption being
 * simulated or re-matched), or the cohort an applied disruption displaced (`disruptionId`; see
 * displacedEnrollmentsSql), in id order.
 */
export async function displacedPatients(
  db: Db,
  source: { groupIds: readonly string[] } | { disruptionId: string },
  now: Date,
): Promise<DisplacedRow[]> {
  if ('groupIds' in source && source.groupIds.length === 0) return [];
  const enrollments =
    'groupIds' in source
      ? sql`select e.patient_id, e.group_id from enrollment e
             where e.status = 'active' and e.group_id = any(${uuidArray(source.groupIds)})`
      : displacedEnrollmentsSql(source.disruptionId);
  const { rows } = await sql<{
    id: string;
    mrn: string;
    name: string;
    service_area_id: string;
    language: string;
    lat: number;
    lon: number;
    needs: string[];
    conditions: string[];
    risk: string;
    perinatal: boolean;
    discharged_at: Date | null;
    lost_group_ids: string[];
    own_clinician_ids: string[] | null;
    last_session_at: Date | null;
    last_visit_at: Date | null;
  }>`
    with lost as (
      select e.patient_id, array_agg(distinct e.group_id order by e.group_id) as group_ids
        from (${enrollments}) e
       group by e.patient_id
    )
    select p.id, p.mrn, p.name, p.service_area_id, p.language, p.lat, p.lon, p.needs,
           p.conditions, p.risk, p.perinatal, p.discharged_at,
           lost.group_ids as lost_group_ids,
           (select array_agg(distinct f.clinician_id)
              from enrollment e join group_facilitator f on f.group_id = e.group_id
             where e.patient_id = p.id and e.status = 'active') as own_clinician_ids,
           (select max(s.starts_at) from attendance a join group_session s on s.id = a.session_id
             where a.patient_id = p.id and a.status = 'present' and s.starts_at <= ${now})
             as last_session_at,
           (select max(ap.starts_at) from appointment ap
             where ap.patient_id = p.id and ap.status = 'attended' and ap.starts_at <= ${now})
             as last_visit_at
      from lost join patient p on p.id = lost.patient_id
     order by p.id`.execute(db);
  return rows.map((row) => {
    const times = [row.last_session_at, row.last_visit_at].filter((t): t is Date => t !== null);
    return {
      id: row.id,
      mrn: row.mrn,
      name: row.name,
      serviceAreaId: row.service_area_id,
      language: row.language,
      lat: row.lat,
      lon: row.lon,
      needs: row.needs as Need[],
      conditions: row.conditions as Specialty[],
      risk: row.risk as Risk,
      perinatal: row.perinatal,
      dischargedAt: row.discharged_at,
      lostGroupIds: row.lost_group_ids,
      ownClinicianIds: row.own_clinician_ids ?? [],
      lastCareAt: times.length === 0 ? null : new Date(Math.max(...times.map((t) => t.getTime()))),
    };
  });
}

/** Codes and names of service areas, by id. */
export async function serviceAreaNames(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, { code: string; name: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('service_area')
    .select(['id', 'code', 'name'])
    .where('id', '=', sql<string>`any(${uuidArray(ids)})`)
    .execute();
  return new Map(rows.map((row) => [row.id, { code: row.code, name: row.name }]));
}

/**
 * The enrollments an applied disruption interrupted (patient_id, group_id): in a group whose
 * sessions it cancelled, active now or ended on or after its first day (so the cohort does not
 * shrink when a patient later leaves the group), and begun by its last day. Waiting-list and
 * paused places lost no care. (The sessions are found by the parameter, not by `d.id`: a subquery
 * that refers to the outer row would be run again for every enrollment.)
 */
function displacedEnrollmentsSql(disruptionId: string): RawBuilder<unknown> {
  return sql`select e.patient_id, e.group_id
               from enrollment e
               join disruption d on d.id = ${disruptionId}
              where e.group_id in (select s.group_id from group_session s
                                    where s.disruption_id = ${disruptionId})
                and (e.status = 'active' or (e.status = 'ended' and e.ends_on >= d.starts_on))
                and (d.ends_on is null or e.starts_on <= d.ends_on)`;
}

/**
 * The patients a disruption displaced, as a subquery for measures over them. Timely-access rates,
 * referral measures, grievance rates and the disruption report all count this one cohort.
 */
export function displacedPatientIdsSql(disruptionId: string): RawBuilder<string> {
  return sql<string>`(select x.patient_id from (${displacedEnrollmentsSql(disruptionId)}) x)`;
}
