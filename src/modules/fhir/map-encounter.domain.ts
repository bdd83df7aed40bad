import type { Encounter } from '@medplum/fhirtypes';
import type { Facilitator } from '../groups/groups.domain.ts';
import { instantText, reference, systems } from './fhir.domain.ts';
import { performer } from './map-appointment.domain.ts';

/* Encounter: one per patient present at a held session, read-only (derived from attendance). */

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
