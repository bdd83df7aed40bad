import type { Patient as FhirPatient } from '@medplum/fhirtypes';
import { AppError } from '../../shared/errors.ts';
import { patientFromFhir, patientToFhir } from './map-patient.domain.ts';
import { writeVersioned } from '../../db/versioned.ts';
import { nearestServiceArea, searchPatients, type PatientColumns } from './patients.repository.ts';
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

export const patientImporters: readonly Importer[] = [
  {
    type: 'Patient',
    permission: 'patients:write',
    prepare(resource, resolve) {
      const { value, unused, problems } = patientFromFhir(resource as FhirPatient, (ref, types) =>
        resolve.id(ref, types),
      );
      return {
        problems,
        unused,
        async write(db, id) {
          const serviceAreaId =
            value.serviceAreaId ?? (await nearestServiceArea(db, value.lat, value.lon));
          if (serviceAreaId === undefined)
            throw new AppError(
              'UNKNOWN_REFERENCE',
              'There is no service area to place the patient in.',
            );
          const columns: PatientColumns = {
            mrn: value.mrn,
            name: value.name,
            birth_date: value.birthDate,
            language: value.language,
            service_area_id: serviceAreaId,
            lat: value.lat,
            lon: value.lon,
            needs: value.needs,
            conditions: value.conditions,
            risk: value.risk,
            discharged_at: value.dischargedAt,
            perinatal: value.perinatal,
            contact_preferences: { ...value.contactPreferences },
          };
          const outcome = await writeVersioned(db, 'patient', id, {
            create: columns,
            update: () => columns,
          });
          return { outcome, patientIds: [id] };
        },
      };
    },
  },
];
