import type {
  Appointment as FhirAppointment,
  Group as FhirGroup,
  Resource,
} from '@medplum/fhirtypes';
import { searchAppointments } from './appointments.repository.ts';
import { writeAppointment, writeSession } from './appointment-writes.repository.ts';
import { searchEncounters, searchEpisodes } from './care.repository.ts';
import { searchGroups, writeGroup } from './groups.repository.ts';
import { appointmentToFhir, sessionToFhir } from './map-appointment.domain.ts';
import { appointmentFromFhir } from './map-appointment-import.domain.ts';
import { encounterToFhir, isGroupPsychotherapy } from './map-encounter.domain.ts';
import { enrollmentStatusesOf, episodeToFhir } from './map-episode.domain.ts';
import { groupFromFhir, groupToFhir } from './map-group.domain.ts';
import type { Importer, PreparedEntry, ResourceSource } from './sources.ts';

/*
 * The care types: Group (therapy group), Appointment (group session or individual appointment),
 * Encounter (a patient present at a session), EpisodeOfCare (an enrollment).
 */

export const careSources: readonly ResourceSource[] = [
  {
    type: 'Group',
    // Members are patient data: they are listed only to readers who may see patients.
    permission: 'catalogue:read',
    keyKind: 'uuid',
    patientCompartment: false,
    params: {
      name: { kind: 'string', documentation: 'The group name (starts with; :exact).' },
      characteristic: {
        kind: 'token',
        documentation:
          'A characteristic the group has: specialty, language, modality, accommodation, capacity, location, lead-facilitator, co-facilitator.',
      },
      'characteristic-value': {
        kind: 'composite',
        documentation:
          'A characteristic and its value, code$value: specialty$perinatal_mood_anxiety, language$es, modality$virtual, accommodation$baby_friendly, capacity$8, location$<id>, lead-facilitator$<id>.',
      },
      member: {
        kind: 'reference',
        documentation: 'A patient enrolled (in any status); needs patients:read.',
      },
      'managing-entity': {
        kind: 'reference',
        documentation: 'The lead facilitator (Practitioner).',
      },
      type: { kind: 'token', documentation: 'Always person.' },
      actual: { kind: 'token', documentation: 'Always true.' },
    },
    async search(db, search, scope) {
      const rows = await searchGroups(db, search, scope);
      return rows.map(({ group, members, external }) => ({
        key: group.id,
        resource: groupToFhir(group, members, external),
        patientIds: [...new Set((members ?? []).map((m) => m.patientId))],
      }));
    },
  },
  {
    type: 'Appointment',
    permission: 'patients:read',
    keyKind: 'uuid',
    patientCompartment: true,
    params: {
      patient: {
        kind: 'reference',
        documentation: 'A patient taking part (attendance, or the roster of a session).',
      },
      practitioner: {
        kind: 'reference',
        documentation: 'The clinician: a facilitator of the session, or of the appointment.',
      },
      actor: {
        kind: 'reference',
        documentation: 'Any participant: Patient, Practitioner, Location or HealthcareService.',
      },
      date: { kind: 'date', documentation: 'When it starts.' },
      status: {
        kind: 'token',
        documentation: 'proposed, booked, fulfilled, noshow or cancelled.',
      },
      location: { kind: 'reference', documentation: "The session's Location." },
      'appointment-type': {
        kind: 'token',
        documentation: 'The kind: group (a session), initial, follow_up or discharge_follow_up.',
      },
      group: {
        kind: 'reference',
        documentation: 'The therapy Group of the session (custom parameter).',
      },
    },
    async search(db, search, scope) {
      const rows = await searchAppointments(db, search, scope);
      return rows.map((found) =>
        found.kind === 'session'
          ? {
              key: found.view.id,
              resource: sessionToFhir(found.view, found.external),
              patientIds: [...found.view.attendance.map((a) => a.patientId), ...found.view.roster],
            }
          : {
              key: found.view.id,
              resource: appointmentToFhir(found.view, found.external),
              patientIds: [found.view.patientId],
            },
      );
    },
  },
  {
    type: 'Encounter',
    permission: 'patients:read',
    keyKind: 'text',
    patientCompartment: true,
    params: {
      patient: { kind: 'reference', documentation: 'The patient seen.' },
      date: { kind: 'date', documentation: 'When the session started.' },
      appointment: { kind: 'reference', documentation: 'The session (Appointment).' },
      status: { kind: 'token', documentation: 'Always finished.' },
      type: { kind: 'token', documentation: 'Always CPT 90853 (group psychotherapy).' },
    },
    async search(db, search, scope) {
      const rows = await searchEncounters(db, search, scope, isGroupPsychotherapy);
      return rows.map((row) => ({
        key: row.id,
        resource: encounterToFhir(row),
        patientIds: [row.patientId],
      }));
    },
  },
  {
    type: 'EpisodeOfCare',
    permission: 'patients:read',
    keyKind: 'uuid',
    patientCompartment: true,
    params: {
      patient: { kind: 'reference', documentation: 'The patient enrolled.' },
      status: {
        kind: 'token',
        documentation: 'active, waitlist, onhold (paused) or finished (ended).',
      },
      date: { kind: 'date', documentation: 'A day within the enrollment.' },
      organization: {
        kind: 'reference',
        documentation: "The service area (Organization) of the group's location.",
      },
    },
    async search(db, search, scope) {
      const rows = await searchEpisodes(db, search, scope, enrollmentStatusesOf);
      return rows.map((row) => ({
        key: row.id,
        resource: episodeToFhir(row, row.external),
        patientIds: [row.patientId],
      }));
    },
  },
];

function refused(problems: PreparedEntry['problems'], unused: string[]): PreparedEntry {
  return {
    problems:
      problems.length > 0 ? problems : [{ path: 'resource', problem: 'could not be mapped' }],
    unused,
    write: () => Promise.reject(new Error('An entry with problems is never written.')),
  };
}

export const careImporters: readonly Importer[] = [
  {
    type: 'Group',
    permission: 'catalogue:write',
    prepare(resource: Resource, resolve): PreparedEntry {
      const group = resource as FhirGroup;
      const { value, unused, problems } = groupFromFhir(group, (ref, types) =>
        resolve.id(ref, types),
      );
      if (value === undefined) return refused(problems, unused);
      return {
        problems: [],
        unused,
        write: (db, id, exists) => writeGroup(db, id, exists, value),
      };
    },
  },
  {
    type: 'Appointment',
    permission: 'patients:write',
    prepare(resource: Resource, resolve): PreparedEntry {
      const appointment = resource as FhirAppointment;
      const { value, unused, problems } = appointmentFromFhir(appointment, (ref, types) =>
        resolve.id(ref, types),
      );
      if (value === undefined) return refused(problems, unused);
      return {
        problems: [],
        unused,
        write: (db, id, exists) =>
          value.kind === 'session'
            ? writeSession(db, id, exists, value)
            : writeAppointment(db, id, exists, value),
      };
    },
  },
];
