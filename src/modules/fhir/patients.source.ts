import { patientToFhir } from './map-patient.domain.ts';
import { searchPatients } from './patients.repository.ts';
import type { Importer, ResourceSource } from './sources.ts';

export const patientSources: readonly ResourceSource[] = [
  {
    type: 'Patient',
    permission: 'patients:read',
    keyKind: 'uuid',
    patientCompartment: true,
    params: {
      organization: {
        kind: 'reference',
        documentation: 'The service area (Organization) caring for the patient.',
      },
      language: {
        kind: 'token',
        documentation: 'The language the patient is treated in (BCP 47).',
      },
    },
    async search(db, search, scope) {
      const rows = await searchPatients(db, search, scope);
      return rows.map(({ patient, external }) => ({
        key: patient.id,
        resource: patientToFhir(patient, external),
        patientIds: [patient.id],
      }));
    },
  },
];

export const patientImporters: readonly Importer[] = [];
