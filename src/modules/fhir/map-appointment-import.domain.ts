import type { Appointment as FhirAppointment, AppointmentParticipant } from '@medplum/fhirtypes';
import type { SessionStatus } from '../groups/groups.domain.ts';
import { codeSystem, findExtension, type ServedType } from './fhir.domain.ts';
import { Unused } from './map.domain.ts';
import { isOneOf, uuidOf, type Checked, type MapProblem } from './map-group.domain.ts';

/*
 * Appointment from FHIR: a session (it names its group in an extension) or an individual
 * appointment, as Continuity would write it, with its problems and what it does not use.
 */

import {
  appointmentKinds,
  appointmentStatusOf,
  attendanceStatuses,
  cancellers,
  sessionStatusOf,
  type AppointmentKind,
  type AppointmentStatus,
  type AttendanceStatus,
  type Canceller,
  type Urgency,
} from './map-appointment.domain.ts';

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
