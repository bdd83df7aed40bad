import { searchAudit } from './audit.repository.ts';
import { auditEventToFhir } from './map-audit.domain.ts';
import type { ResourceSource } from './sources.ts';

/** The audit trail, in sequence order. Events name patients by reference only. */
export const auditSources: readonly ResourceSource[] = [
  {
    type: 'AuditEvent',
    permission: 'audit:read',
    keyKind: 'bigint',
    // The trail is about access, not care: a patient's export does not carry who looked at them.
    patientCompartment: false,
    params: {
      date: { kind: 'date', documentation: 'When the event was recorded.' },
      patient: { kind: 'reference', documentation: 'The patient whose data was touched.' },
      action: {
        kind: 'token',
        documentation: 'C, R, U, D or E, from the verb of the action (a search or list is E).',
      },
      outcome: { kind: 'token', documentation: '0 (allowed) or 4 (denied).' },
      type: {
        kind: 'token',
        documentation: 'DCM 110110 (Patient Record) for events about a patient, rest otherwise.',
      },
      subtype: {
        kind: 'token',
        documentation:
          "Continuity's action, as patient.read (https://continuity.health/fhir/CodeSystem/audit-action).",
      },
      'entity-type': {
        kind: 'token',
        documentation:
          "Continuity's name for the record, as patient (https://continuity.health/fhir/CodeSystem/audit-entity).",
      },
      entity: { kind: 'reference', documentation: 'The record the event was about, by id.' },
      'agent-name': {
        kind: 'string',
        documentation: 'Who acted: user:<id>, token:<id>, cli:<name> (starts with; :exact whole).',
      },
      address: { kind: 'string', documentation: 'The network address the request came from.' },
    },
    async search(db, search) {
      const events = await searchAudit(db, search);
      return events.map((event) => ({
        key: String(event.seq),
        resource: auditEventToFhir(event),
        patientIds: [],
      }));
    },
  },
];
