import type {
  Appointment as FhirAppointment,
  AppointmentParticipant,
  CodeableConcept,
  Extension,
} from '@medplum/fhirtypes';
import type { Facilitator, SessionStatus } from '../groups/groups.domain.ts';
import { codeSystem, concept, extension, instantText, reference, systems } from './fhir.domain.ts';
import { identifiersOut, type ExternalId } from './map.domain.ts';

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
export function performer(role: Facilitator['role']): CodeableConcept {
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
