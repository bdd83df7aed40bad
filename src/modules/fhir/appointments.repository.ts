import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { SessionStatus } from '../groups/groups.domain.ts';
import { codeSystem } from './fhir.domain.ts';
import type { ExternalId } from './map.domain.ts';
import {
  appointmentStatusSystem,
  storedStatuses,
  type AppointmentKind,
  type AppointmentStatus,
  type AppointmentView,
  type AttendanceStatus,
  type Canceller,
  type SessionView,
  type Urgency,
} from './map-appointment.domain.ts';
import type { ParsedSearch, ReferenceValue } from './search.domain.ts';
import { valuesOf } from './search.domain.ts';
import {
  all,
  any,
  col,
  codeCondition,
  commonConditions,
  dateCondition,
  each,
  externalIdentifiers,
  referenceCondition,
  type Condition,
} from './search.repository.ts';
import { byReference, facilitatorsOf, mappedCodeCondition } from './care.repository.ts';
import { memberOf } from './patients.repository.ts';
import type { SearchScope } from './sources.ts';

/*
 * Appointments come from two tables: group sessions and individual appointments. Their ids are
 * uuids that never collide, so one page is the first ids of both, merged in id order (UNION ALL).
 */

/** The day a session falls on, as enrollments' dates are kept. */
const sessionDay = sql`(s.starts_at at time zone 'UTC')::date`;

/**
 * The patients a session lists: those with attendance, or, while none is recorded, the members
 * whose enrollment (active, or ended since) covers the session's day.
 */
function sessionNamesPatient(patientId: RawBuilder<unknown>): Condition {
  // The uncorrelated IN lists are computed once per query (from the patient indexes), so each
  // session costs two hash probes before any correlated check.
  return sql<SqlBool>`(s.id in (select a.session_id from attendance a where a.patient_id = ${patientId})
    or (s.group_id in (select e.group_id from enrollment e
          where e.patient_id = ${patientId} and e.status in ('active', 'ended'))
      and not exists (select 1 from attendance a where a.session_id = s.id)
      and exists (select 1 from enrollment e where e.group_id = s.group_id
        and e.patient_id = ${patientId} and e.status in ('active', 'ended')
        and e.starts_on <= ${sessionDay} and (e.ends_on is null or e.ends_on >= ${sessionDay}))))`;
}

const facilitates = (clinicianId: string): Condition =>
  sql<SqlBool>`exists (select 1 from group_facilitator f
    where f.group_id = s.group_id and f.clinician_id = ${clinicianId}::uuid)`;

function sessionActor(ref: ReferenceValue): Condition {
  const options: Condition[] = [];
  if (ref.type === null || ref.type === 'Patient')
    options.push(byReference(ref, ['Patient'], (id) => sessionNamesPatient(sql`${id}::uuid`)));
  if (ref.type === null || ref.type === 'Practitioner')
    options.push(byReference(ref, ['Practitioner'], facilitates));
  if (ref.type === null || ref.type === 'Location')
    options.push(referenceCondition(col('g.location_id'), ['Location'], ref));
  return any(options);
}

function appointmentActor(ref: ReferenceValue): Condition {
  return any([
    referenceCondition(col('ap.patient_id'), ['Patient'], ref),
    referenceCondition(col('ap.clinician_id'), ['Practitioner', 'PractitionerRole'], ref),
    referenceCondition(col('ap.provider_id'), ['HealthcareService'], ref),
  ]);
}

function sessionConditions(search: ParsedSearch, scope: SearchScope): Condition[] {
  return [
    ...commonConditions(search, {
      type: 'Appointment',
      id: col('s.id'),
      key: col('s.id'),
      keyKind: 'uuid',
      // Sessions record no change time: each counts as changed now, so an export `_since` a
      // time never misses one.
      updated: sql`now()`,
    }),
    ...each(valuesOf(search, 'patient', 'reference'), (ref) =>
      byReference(ref, ['Patient'], (id) => sessionNamesPatient(sql`${id}::uuid`)),
    ),
    ...each(valuesOf(search, 'practitioner', 'reference'), (ref) =>
      byReference(ref, ['Practitioner'], facilitates),
    ),
    ...each(valuesOf(search, 'actor', 'reference'), sessionActor),
    ...each(valuesOf(search, 'date', 'date'), (date) => dateCondition(col('s.starts_at'), date)),
    ...each(valuesOf(search, 'status', 'token'), (token) =>
      mappedCodeCondition(
        col('s.status'),
        appointmentStatusSystem,
        (code) => storedStatuses('session', code),
        token,
      ),
    ),
    ...each(valuesOf(search, 'location', 'reference'), (ref) =>
      referenceCondition(col('g.location_id'), ['Location'], ref),
    ),
    ...each(valuesOf(search, 'appointment-type', 'token'), (token) =>
      codeCondition(sql`'group'`, codeSystem('appointment-kind'), token),
    ),
    ...each(valuesOf(search, 'group', 'reference'), (ref) =>
      referenceCondition(col('s.group_id'), ['Group'], ref),
    ),
    // A Group export: that group's own sessions, whose participants are its members.
    ...(scope.groupId ? [sql<SqlBool>`s.group_id = ${scope.groupId}::uuid`] : []),
  ];
}

function appointmentConditions(search: ParsedSearch, scope: SearchScope): Condition[] {
  return [
    ...commonConditions(search, {
      type: 'Appointment',
      id: col('ap.id'),
      key: col('ap.id'),
      keyKind: 'uuid',
      // No change time is kept for an appointment either (see sessions above).
      updated: sql`now()`,
    }),
    ...each(valuesOf(search, 'patient', 'reference'), (ref) =>
      referenceCondition(col('ap.patient_id'), ['Patient'], ref),
    ),
    ...each(valuesOf(search, 'practitioner', 'reference'), (ref) =>
      referenceCondition(col('ap.clinician_id'), ['Practitioner', 'PractitionerRole'], ref),
    ),
    ...each(valuesOf(search, 'actor', 'reference'), appointmentActor),
    ...each(valuesOf(search, 'date', 'date'), (date) => dateCondition(col('ap.starts_at'), date)),
    ...each(valuesOf(search, 'status', 'token'), (token) =>
      mappedCodeCondition(
        col('ap.status'),
        appointmentStatusSystem,
        (code) => storedStatuses('appointment', code),
        token,
      ),
    ),
    // An individual appointment has no location of its own.
    ...each(valuesOf(search, 'location', 'reference'), () => sql<SqlBool>`false`),
    ...each(valuesOf(search, 'appointment-type', 'token'), (token) =>
      codeCondition(col('ap.kind'), codeSystem('appointment-kind'), token),
    ),
    ...each(valuesOf(search, 'group', 'reference'), (ref) =>
      byReference(
        ref,
        ['Group'],
        (id) => sql<SqlBool>`exists (select 1 from group_session gs
          where gs.id = ap.session_id and gs.group_id = ${id}::uuid)`,
      ),
    ),
    ...(scope.groupId ? [memberOf('ap.patient_id', scope.groupId)] : []),
  ];
}

export type FoundAppointment =
  | { kind: 'session'; view: SessionView; external: ExternalId[] }
  | { kind: 'appointment'; view: AppointmentView; external: ExternalId[] };

/** One page of sessions and appointments together, in id order (count + 1). */
export async function searchAppointments(
  db: Db,
  search: ParsedSearch,
  scope: SearchScope,
): Promise<FoundAppointment[]> {
  const { rows: page } = await sql<{ id: string; source: 'session' | 'appointment' }>`
    select id, source from (
      (select s.id, 'session' as source from group_session s
        join therapy_group g on g.id = s.group_id
        where ${all(sessionConditions(search, scope))}
        order by s.id limit ${search.count + 1})
      union all
      (select ap.id, 'appointment' as source from appointment ap
        where ${all(appointmentConditions(search, scope))}
        order by ap.id limit ${search.count + 1})
    ) page order by id limit ${search.count + 1}`.execute(db);
  const sessionIds = page.filter((r) => r.source === 'session').map((r) => r.id);
  const appointmentIds = page.filter((r) => r.source === 'appointment').map((r) => r.id);
  const sessions = await loadSessions(db, sessionIds);
  const appointments = await loadAppointments(db, appointmentIds);
  const external = await externalIdentifiers(
    db,
    'Appointment',
    page.map((r) => r.id),
  );
  return page.flatMap((row): FoundAppointment[] => {
    const ids = external.get(row.id) ?? [];
    if (row.source === 'session') {
      const view = sessions.get(row.id);
      return view ? [{ kind: 'session', view, external: ids }] : [];
    }
    const view = appointments.get(row.id);
    return view ? [{ kind: 'appointment', view, external: ids }] : [];
  });
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const byKey = new Map<string, T[]>();
  for (const row of rows) {
    const list = byKey.get(key(row));
    if (list) list.push(row);
    else byKey.set(key(row), [row]);
  }
  return byKey;
}

async function loadSessions(db: Db, ids: readonly string[]): Promise<Map<string, SessionView>> {
  const byId = new Map<string, SessionView>();
  if (ids.length === 0) return byId;
  const rows = await db
    .selectFrom('group_session as s')
    .innerJoin('therapy_group as g', 'g.id', 's.group_id')
    .leftJoin('disruption as d', 'd.id', 's.disruption_id')
    .select([
      's.id',
      's.group_id',
      'g.location_id',
      's.starts_at',
      's.ends_at',
      's.status',
      's.cancel_reason',
      's.disruption_id',
      'd.kind as disruption_kind',
      'd.title as disruption_title',
    ])
    .where('s.id', 'in', ids)
    .execute();
  const attendance = await db
    .selectFrom('attendance')
    .select(['session_id', 'patient_id', 'status'])
    .where('session_id', 'in', ids)
    .orderBy('session_id')
    .orderBy('patient_id')
    .execute();
  const roster = await db
    .selectFrom('group_session as s')
    .innerJoin('enrollment as e', 'e.group_id', 's.group_id')
    .select(['s.id as session_id', 'e.patient_id'])
    .distinct()
    .where('s.id', 'in', ids)
    .where('e.status', 'in', ['active', 'ended'])
    .where(sql<SqlBool>`e.starts_on <= ${sessionDay}`)
    .where(sql<SqlBool>`(e.ends_on is null or e.ends_on >= ${sessionDay})`)
    .orderBy('s.id')
    .orderBy('e.patient_id')
    .execute();
  const facilitators = await facilitatorsOf(
    db,
    rows.map((r) => r.group_id),
  );
  const attendedBy = groupBy(attendance, (a) => a.session_id);
  const rosterBy = groupBy(roster, (r) => r.session_id);
  for (const row of rows) {
    const attended = (attendedBy.get(row.id) ?? []).map((a) => ({
      patientId: a.patient_id,
      status: a.status as AttendanceStatus,
    }));
    byId.set(row.id, {
      id: row.id,
      groupId: row.group_id,
      locationId: row.location_id,
      startsAt: row.starts_at,
      endsAt: row.ends_at,
      status: row.status as SessionStatus,
      cancelReason: row.cancel_reason,
      disruption:
        row.disruption_id && row.disruption_kind !== null && row.disruption_title !== null
          ? { id: row.disruption_id, kind: row.disruption_kind, title: row.disruption_title }
          : null,
      facilitators: facilitators.get(row.group_id) ?? [],
      attendance: attended,
      roster: attended.length > 0 ? [] : (rosterBy.get(row.id) ?? []).map((r) => r.patient_id),
    });
  }
  return byId;
}

// The appointment table's CHECKs hold these columns to the unions.
async function loadAppointments(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, AppointmentView>> {
  const byId = new Map<string, AppointmentView>();
  if (ids.length === 0) return byId;
  const rows = await db.selectFrom('appointment').selectAll().where('id', 'in', ids).execute();
  for (const row of rows)
    byId.set(row.id, {
      id: row.id,
      patientId: row.patient_id,
      clinicianId: row.clinician_id,
      providerId: row.provider_id,
      sessionId: row.session_id,
      kind: row.kind as AppointmentKind,
      urgency: row.urgency as Urgency,
      priorAuthorization: row.prior_authorization,
      requestedAt: row.requested_at,
      firstOfferedAt: row.first_offered_at,
      startsAt: row.starts_at,
      status: row.status as AppointmentStatus,
      cancelledBy: row.cancelled_by as Canceller | null,
      intervalOverrideNote: row.interval_override_note,
    });
  return byId;
}
