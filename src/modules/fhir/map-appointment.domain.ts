import type {
  Appointment as FhirAppointment,
  AppointmentParticipant,
  CodeableConcept,
  Encounter,
  Extension,
} from '@medplum/fhirtypes';
import type { Facilitator, SessionStatus } from '../groups/groups.domain.ts';
import {
  codeSystem,
  concept,
  extension,
  findExtension,
  instantText,
  reference,
  systems,
  type ServedType,
} from './fhir.domain.ts';
import { identifiersOut, Unused, type ExternalId } from './map.domain.ts';
import { isOneOf, uuidOf, type Checked, type MapProblem } from './map-group.domain.ts';

/*
 * Appointment ↔ a group session, or an individual appointment (two tables, one FHIR type; their
 * uuids never collide). A session names its group in an extension, which is how an import tells
 * the two apart. Encounter: one per patient present at a session, read-only.
 */

export const attendanceStatuses = ['present', 'absent', 'excused'] as const;
export type AttendanceStatus = (typeof attendanceStatuses)[number];

export const appointmentKinds = ['initial', 'follow_up', 'group', 'discharge_follow_up'] as const;
export type AppointmentKind = (typeof appointmentKinds)[number];

export const appointmentStatuses = [
  'requested',
  'booked',
  'attended',
  'no_show',
  'cancelled',
] as const;
export type AppointmentStatus = (typeof appointmentStatuses)[number];

export const urgencies = ['urgent', 'non_urgent'] as const;
export type Urgency = (typeof urgencies)[number];

export const cancellers = ['patient', 'provider'] as const;
export type Canceller = (typeof cancellers)[number];

type FhirStatus = FhirAppointment['status'];

export const sessionStatusOf = {
  scheduled: 'booked',
  held: 'fulfilled',
  cancelled: 'cancelled',
} as const satisfies Record<SessionStatus, FhirStatus>;

export const appointmentStatusOf = {
  requested: 'proposed',
  booked: 'booked',
  attended: 'fulfilled',
  no_show: 'noshow',
  cancelled: 'cancelled',
} as const satisfies Record<AppointmentStatus, FhirStatus>;

/** The stored statuses a FHIR status search matches, per table. */
export function storedStatuses(
  table: 'session' | 'appointment',
  code: string,
): (SessionStatus | AppointmentStatus)[] {
  const map: Record<string, FhirStatus> =
    table === 'session' ? sessionStatusOf : appointmentStatusOf;
  return Object.keys(map).filter((s) => map[s] === code) as (SessionStatus | AppointmentStatus)[];
}

export const appointmentStatusSystem = 'http://hl7.org/fhir/appointmentstatus';

/** An individual appointment's urgency as FHIR's priority (1 highest … 9 lowest). */
const urgentPriority = 1;
const routinePriority = 5;

/** Appointments record no length; an hour, as workload counts one. */
export const appointmentMinutes = 60;

export interface SessionView {
  id: string;
  groupId: string;
  locationId: string;
  startsAt: Date;
  endsAt: Date;
  status: SessionStatus;
  cancelReason: string | null;
  disruption: { id: string; kind: string; title: string } | null;
  /** Lead first. */
  facilitators: readonly Facilitator[];
  attendance: { patientId: string; status: AttendanceStatus }[];
  /** The members expected, listed only when no attendance is recorded. */
  roster: string[];
}

export interface AppointmentView {
  id: string;
  patientId: string;
  clinicianId: string | null;
  providerId: string | null;
  sessionId: string | null;
  kind: AppointmentKind;
  urgency: Urgency;
  priorAuthorization: boolean;
  requestedAt: Date;
  firstOfferedAt: Date | null;
  startsAt: Date | null;
  status: AppointmentStatus;
  cancelledBy: Canceller | null;
  intervalOverrideNote: string | null;
}

/** A facilitator's part: the lead is the primary performer, a co-facilitator a secondary one. */
function performer(role: Facilitator['role']): CodeableConcept {
  return {
    coding: [
      {
        system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
        code: role === 'lead' ? 'PPRF' : 'SPRF',
        display: role === 'lead' ? 'primary performer' : 'secondary performer',
      },
    ],
  };
}

const minutesBetween = (start: Date, end: Date) =>
  Math.round((end.getTime() - start.getTime()) / 60_000);

export function sessionToFhir(
  session: SessionView,
  external: readonly ExternalId[],
): FhirAppointment {
  const patients: AppointmentParticipant[] =
    session.attendance.length > 0
      ? session.attendance.map((a) => ({
          extension: [extension('attendance', { valueCode: a.status })],
          actor: reference('Patient', a.patientId),
          status: a.status === 'present' ? 'accepted' : 'declined',
        }))
      : session.roster.map((patientId) => ({
          actor: reference('Patient', patientId),
          status: 'needs-action',
        }));
  const disruption = session.disruption;
  return {
    resourceType: 'Appointment',
    id: session.id,
    extension: [
      extension('group', { valueReference: reference('Group', session.groupId) }),
      ...(disruption
        ? [
            extension('disruption', {
              valueReference: {
                identifier: { system: systems.uri, value: `urn:uuid:${disruption.id}` },
                display: disruption.title,
              },
            }),
          ]
        : []),
    ],
    identifier: identifiersOut(session.id, external),
    status: sessionStatusOf[session.status],
    ...(session.status === 'cancelled'
      ? {
          cancelationReason: {
            ...(disruption
              ? {
                  coding: [
                    {
                      system: codeSystem('disruption-kind'),
                      code: disruption.kind,
                      display: disruption.title,
                    },
                  ],
                }
              : {}),
            ...(session.cancelReason === null ? {} : { text: session.cancelReason }),
          },
        }
      : {}),
    serviceType: [concept('service', 'group_therapy')],
    appointmentType: concept('appointment-kind', 'group'),
    start: instantText(session.startsAt),
    end: instantText(session.endsAt),
    minutesDuration: minutesBetween(session.startsAt, session.endsAt),
    participant: [
      ...patients,
      ...session.facilitators.map((f): AppointmentParticipant => ({
        type: [performer(f.role)],
        actor: reference('Practitioner', f.clinicianId),
        required: 'required',
        status: 'accepted',
      })),
      { actor: reference('Location', session.locationId), status: 'accepted' },
    ],
  };
}

export function appointmentToFhir(
  appointment: AppointmentView,
  external: readonly ExternalId[],
): FhirAppointment {
  const a = appointment;
  const extensions: Extension[] = [
    extension('prior-authorization', { valueBoolean: a.priorAuthorization }),
    ...(a.firstOfferedAt
      ? [extension('first-offered-at', { valueDateTime: instantText(a.firstOfferedAt) })]
      : []),
    ...(a.cancelledBy ? [extension('cancelled-by', { valueCode: a.cancelledBy })] : []),
    ...(a.intervalOverrideNote === null
      ? []
      : [extension('interval-override-note', { valueString: a.intervalOverrideNote })]),
    ...(a.sessionId
      ? [extension('session', { valueReference: reference('Appointment', a.sessionId) })]
      : []),
  ];
  const end = a.startsAt && new Date(a.startsAt.getTime() + appointmentMinutes * 60_000);
  return {
    resourceType: 'Appointment',
    id: a.id,
    extension: extensions,
    identifier: identifiersOut(a.id, external),
    status: appointmentStatusOf[a.status],
    appointmentType: concept('appointment-kind', a.kind),
    priority: a.urgency === 'urgent' ? urgentPriority : routinePriority,
    created: instantText(a.requestedAt),
    ...(a.startsAt && end
      ? {
          start: instantText(a.startsAt),
          end: instantText(end),
          minutesDuration: appointmentMinutes,
        }
      : {}),
    participant: [
      {
        actor: reference('Patient', a.patientId),
        status: a.status === 'requested' ? 'needs-action' : 'accepted',
      },
      ...(a.clinicianId
        ? [{ actor: reference('Practitioner', a.clinicianId), status: 'accepted' as const }]
        : []),
      ...(a.providerId
        ? [{ actor: reference('HealthcareService', a.providerId), status: 'accepted' as const }]
        : []),
    ],
  };
}

export interface EncounterView {
  id: string;
  sessionId: string;
  patientId: string;
  startsAt: Date;
  endsAt: Date;
  serviceAreaId: string;
  /** The session's facilitators, lead first. */
  facilitators: readonly Facilitator[];
}

export const groupPsychotherapy = {
  system: systems.cpt,
  code: '90853',
  display: 'Group psychotherapy (other than of a multiple-family group)',
} as const;

/** Whether a token names CPT 90853, the one Encounter type served. */
export function isGroupPsychotherapy(token: {
  system: string | null | undefined;
  code: string;
}): boolean {
  return (
    token.code === groupPsychotherapy.code &&
    (token.system === undefined || token.system === groupPsychotherapy.system)
  );
}

export function encounterToFhir(encounter: EncounterView): Encounter {
  return {
    resourceType: 'Encounter',
    id: encounter.id,
    status: 'finished',
    class: {
      system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
      code: 'AMB',
      display: 'ambulatory',
    },
    type: [{ coding: [groupPsychotherapy] }],
    subject: reference('Patient', encounter.patientId),
    ...(encounter.facilitators.length > 0
      ? {
          participant: encounter.facilitators.map((f) => ({
            type: [performer(f.role)],
            individual: reference('Practitioner', f.clinicianId),
          })),
        }
      : {}),
    appointment: [reference('Appointment', encounter.sessionId)],
    period: { start: instantText(encounter.startsAt), end: instantText(encounter.endsAt) },
    serviceProvider: reference('Organization', encounter.serviceAreaId),
  };
}

/* Import. */

export interface SessionImport {
  kind: 'session';
  groupId: string;
  startsAt: Date;
  endsAt: Date;
  status: SessionStatus;
  cancelReason: string | null;
  /** Kept only when that disruption exists here. */
  disruptionId: string | null;
  attendance: { patientId: string; status: AttendanceStatus }[];
}

export interface AppointmentImport {
  kind: 'appointment';
  patientId: string;
  clinicianId: string | null;
  providerId: string | null;
  sessionId: string | null;
  appointmentKind: AppointmentKind;
  urgency: Urgency;
  priorAuthorization: boolean;
  requestedAt: Date;
  firstOfferedAt: Date | null;
  startsAt: Date | null;
  status: AppointmentStatus;
  cancelledBy: Canceller | null;
  intervalOverrideNote: string | null;
}

const handled = new Set([
  'resourceType',
  'id',
  'meta',
  'extension',
  'identifier',
  'status',
  'cancelationReason',
  'serviceType', // a session's is implied (group therapy); an appointment's is reported below
  'appointmentType',
  'priority',
  'created',
  'start',
  'end', // a session's end is kept; an appointment's is derived
  'minutesDuration', // derived from start and end
  'participant',
]);

function instant(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

type Resolve = (ref: string | undefined, types: readonly ServedType[]) => string | undefined;

/** A session or an individual appointment as Continuity would write it, and its problems. */
export function appointmentFromFhir(
  resource: FhirAppointment,
  resolve: Resolve,
): Checked<SessionImport | AppointmentImport | undefined> {
  const unused = new Unused('Appointment', resource, handled);
  const problems: MapProblem[] = [];
  const problem = (path: string, text: string) =>
    problems.push({ path: `Appointment.${path}`, problem: text });
  const ext = unused.extensions(resource.extension);
  const groupRef = ext.references('group')[0];
  const value =
    groupRef !== undefined
      ? sessionFrom(resource, resolve, groupRef, ext, unused, problem)
      : individualFrom(resource, resolve, ext, unused, problem);
  return { value: problems.length > 0 ? undefined : value, unused: unused.list(), problems };
}

type Problem = (path: string, text: string) => void;

/** Required in FHIR, but an incoming resource may lack it. */
function participantsOf(resource: FhirAppointment): readonly AppointmentParticipant[] {
  const given = resource.participant as readonly AppointmentParticipant[] | undefined;
  return given ?? [];
}

type Reader = ReturnType<Unused['extensions']>;

function sessionFrom(
  resource: FhirAppointment,
  resolve: Resolve,
  groupRef: string,
  ext: Reader,
  unused: Unused,
  problem: Problem,
): SessionImport | undefined {
  const groupId = resolve(groupRef, ['Group']);
  if (groupId === undefined) problem('extension', 'the group extension names no known Group');
  const status = (Object.keys(sessionStatusOf) as SessionStatus[]).find(
    (s) => sessionStatusOf[s] === resource.status,
  );
  if (status === undefined) problem('status', 'a session is booked, fulfilled or cancelled');
  const startsAt = instant(resource.start);
  const endsAt = instant(resource.end);
  if (startsAt === undefined) problem('start', 'a session needs its start');
  if (endsAt === undefined || (startsAt && endsAt <= startsAt))
    problem('end', 'a session needs an end after its start');
  // The disruption is named by identifier (it is no FHIR resource here); reading marks it used.
  ext.references('disruption');
  const disruptionIdentifier = findExtension(resource.extension, 'disruption')?.valueReference
    ?.identifier?.value;
  const disruptionId =
    status === 'cancelled'
      ? (uuidOf(disruptionIdentifier?.replace(/^urn:uuid:/, '')) ?? null)
      : null;
  unused.nested('cancelationReason', resource.cancelationReason, ['coding', 'text']);
  // A session has no priority and no request time of its own.
  if (resource.priority !== undefined) unused.add('priority');
  if (resource.created !== undefined) unused.add('created');
  const attendance: SessionImport['attendance'] = [];
  for (const [i, p] of participantsOf(resource).entries()) {
    const path = `participant[${i}]`;
    unused.nested(path, p, ['extension', 'actor', 'status', 'required', 'type']);
    const reader = unused.extensions(p.extension, path);
    const code = reader.codes('attendance')[0];
    if (code === undefined) continue; // the roster, the facilitators, the location: the group's
    if (!isOneOf(attendanceStatuses, code)) {
      problem(`${path}.extension`, 'attendance is present, absent or excused');
      continue;
    }
    const patientId = resolve(p.actor?.reference, ['Patient']);
    if (patientId === undefined) problem(`${path}.actor`, 'names no known Patient');
    else if (!attendance.some((a) => a.patientId === patientId))
      attendance.push({ patientId, status: code });
  }
  if (groupId === undefined || status === undefined || !startsAt || !endsAt) return undefined;
  return {
    kind: 'session',
    groupId,
    startsAt,
    endsAt,
    status,
    cancelReason: status === 'cancelled' ? (resource.cancelationReason?.text ?? null) : null,
    disruptionId,
    attendance,
  };
}

function individualFrom(
  resource: FhirAppointment,
  resolve: Resolve,
  ext: Reader,
  unused: Unused,
  problem: Problem,
): AppointmentImport | undefined {
  const status = (Object.keys(appointmentStatusOf) as AppointmentStatus[]).find(
    (s) => appointmentStatusOf[s] === resource.status,
  );
  if (status === undefined)
    problem('status', 'an appointment is proposed, booked, fulfilled, noshow or cancelled');
  const kindCode = resource.appointmentType?.coding?.find(
    (c) => c.system === codeSystem('appointment-kind'),
  )?.code;
  const appointmentKind = isOneOf(appointmentKinds, kindCode) ? kindCode : undefined;
  if (appointmentKind === undefined) problem('appointmentType', 'give the appointment kind');
  const requestedAt = instant(resource.created);
  if (requestedAt === undefined) problem('created', 'give when the appointment was requested');
  let patientId: string | undefined;
  let patientNamed = false;
  let clinicianId: string | null = null;
  let providerId: string | null = null;
  for (const [i, p] of participantsOf(resource).entries()) {
    const path = `participant[${i}]`;
    unused.nested(path, p, ['actor', 'status', 'required']);
    const ref = p.actor?.reference;
    const type = ref?.split('/')[0];
    if (type === 'Patient' && !patientNamed) {
      patientNamed = true;
      patientId = resolve(ref, ['Patient']);
      if (patientId === undefined) problem(`${path}.actor`, 'names no known Patient');
    } else if ((type === 'Practitioner' || type === 'PractitionerRole') && clinicianId === null) {
      clinicianId = resolve(ref, ['Practitioner', 'PractitionerRole']) ?? null;
      if (clinicianId === null) problem(`${path}.actor`, 'names no known Practitioner');
    } else if (type === 'HealthcareService' && providerId === null) {
      providerId = resolve(ref, ['HealthcareService']) ?? null;
      if (providerId === null) problem(`${path}.actor`, 'names no known HealthcareService');
    } else unused.add(path);
  }
  if (!patientNamed) problem('participant', 'an appointment needs its patient');
  const cancelledCode = ext.codes('cancelled-by')[0];
  const cancelledBy = isOneOf(cancellers, cancelledCode) ? cancelledCode : null;
  if ((status === 'cancelled') !== (cancelledBy !== null))
    problem(
      'extension',
      'a cancelled appointment, and only one, says who cancelled it (cancelled-by)',
    );
  const sessionRef = ext.references('session')[0];
  const sessionId =
    sessionRef === undefined ? null : (resolve(sessionRef, ['Appointment']) ?? null);
  if (sessionRef !== undefined && sessionId === null)
    problem('extension', 'the session extension names no known session');
  unused.nested('cancelationReason', resource.cancelationReason, []);
  // Continuity keeps no service type for an individual appointment (its kind says what it is).
  if (resource.serviceType !== undefined) unused.add('serviceType');
  const start = resource.start === undefined ? null : (instant(resource.start) ?? null);
  if (resource.start !== undefined && start === null) problem('start', 'not an instant');
  const firstOffered = ext.dateTime('first-offered-at');
  if (
    patientId === undefined ||
    status === undefined ||
    appointmentKind === undefined ||
    requestedAt === undefined
  )
    return undefined;
  return {
    kind: 'appointment',
    patientId,
    clinicianId,
    providerId,
    sessionId,
    appointmentKind,
    urgency:
      resource.priority !== undefined && resource.priority >= 1 && resource.priority <= 3
        ? 'urgent'
        : 'non_urgent',
    priorAuthorization: ext.boolean('prior-authorization') ?? false,
    requestedAt,
    firstOfferedAt: firstOffered && !Number.isNaN(firstOffered.getTime()) ? firstOffered : null,
    startsAt: start,
    status,
    cancelledBy,
    intervalOverrideNote: ext.string('interval-override-note') ?? null,
  };
}
