import { serviceRequestOf, taskOf } from './map-referral.domain.ts';
import { searchReferrals } from './referrals.repository.ts';
import type { ResourceSource } from './sources.ts';

const patient = {
  kind: 'reference',
  documentation: 'The patient referred (Patient).',
} as const;

/** A referral as two resources with its id: the order (ServiceRequest) and its loop (Task). */
export const referralSources: readonly ResourceSource[] = [
  {
    type: 'ServiceRequest',
    permission: 'patients:read',
    keyKind: 'uuid',
    patientCompartment: true,
    params: {
      patient,
      subject: patient,
      status: {
        kind: 'token',
        documentation:
          'draft, active (sent, accepted, scheduled), completed, revoked (declined, expired, no-show, cancelled).',
      },
      performer: {
        kind: 'reference',
        documentation: 'The outside provider referred to (HealthcareService).',
      },
      authored: { kind: 'date', documentation: 'When the referral was sent (or drafted).' },
    },
    async search(db, search, scope) {
      const rows = await searchReferrals(db, 'ServiceRequest', search, scope);
      return rows.map(({ referral, external }) => ({
        key: referral.id,
        resource: serviceRequestOf(referral, external),
        patientIds: [referral.patientId],
      }));
    },
  },
  {
    type: 'Task',
    permission: 'patients:read',
    keyKind: 'uuid',
    patientCompartment: true,
    params: {
      patient,
      subject: patient,
      status: { kind: 'token', documentation: 'The task status (requested, accepted, ...).' },
      'business-status': {
        kind: 'token',
        documentation:
          "Continuity's referral status (https://continuity.health/fhir/CodeSystem/referral-status).",
      },
      owner: {
        kind: 'reference',
        documentation: 'The outside provider that must answer (HealthcareService).',
      },
      focus: { kind: 'reference', documentation: 'The referral (ServiceRequest).' },
      'authored-on': { kind: 'date', documentation: 'When the referral was sent (or drafted).' },
      modified: { kind: 'date', documentation: 'When the referral last changed.' },
    },
    async search(db, search, scope) {
      const rows = await searchReferrals(db, 'Task', search, scope);
      return rows.map(({ referral, external }) => ({
        key: referral.id,
        resource: taskOf(referral, external),
        patientIds: [referral.patientId],
      }));
    },
  },
];
