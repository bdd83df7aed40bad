import { writeVersioned } from '../../db/versioned.ts';
import type {
  HealthcareService,
  Location as FhirLocation,
  Organization,
  Practitioner,
  PractitionerRole,
} from '@medplum/fhirtypes';
import { AppError } from '../../shared/errors.ts';
import {
  clinicianExists,
  searchClinicians,
  searchLocations,
  searchOutsideProviders,
  searchServiceAreas,
} from './catalogue.repository.ts';
import {
  locationFromFhir,
  locationToFhir,
  serviceAreaFromFhir,
  serviceAreaToFhir,
} from './map-catalogue.domain.ts';
import { outsideProviderFromFhir, outsideProviderToFhir } from './map-healthcare-service.domain.ts';
import {
  practitionerFromFhir,
  practitionerRoleFromFhir,
  practitionerRoleToFhir,
  practitionerToFhir,
} from './map-practitioner.domain.ts';
import type { Importer, ResourceSource, WriteOutcome } from './sources.ts';

/*
 * The catalogue types: service areas (Organization), locations (Location), clinicians
 * (Practitioner and PractitionerRole, one clinician each, same id) and outside providers
 * (HealthcareService). None names a patient.
 */

const nobody: readonly string[] = [];

export const catalogueSources: readonly ResourceSource[] = [
  {
    type: 'Organization',
    permission: 'catalogue:read',
    keyKind: 'uuid',
    patientCompartment: false,
    params: {
      name: { kind: 'string', documentation: "The service area's name (start of any word)." },
    },
    async search(db, search) {
      const rows = await searchServiceAreas(db, search);
      return rows.map(({ area, external }) => ({
        key: area.id,
        resource: serviceAreaToFhir(area, external),
        patientIds: nobody,
      }));
    },
  },
  {
    type: 'Location',
    permission: 'catalogue:read',
    keyKind: 'uuid',
    patientCompartment: false,
    params: {
      name: { kind: 'string', documentation: "The location's name (start of any word)." },
      address: { kind: 'string', documentation: 'Its address (start of any word).' },
      organization: {
        kind: 'reference',
        documentation: 'The service area (Organization) it belongs to.',
      },
    },
    async search(db, search) {
      const rows = await searchLocations(db, search);
      return rows.map(({ location, external }) => ({
        key: location.id,
        resource: locationToFhir(location, external),
        patientIds: nobody,
      }));
    },
  },
  {
    type: 'Practitioner',
    permission: 'catalogue:read',
    keyKind: 'uuid',
    patientCompartment: false,
    params: {
      name: { kind: 'string', documentation: "The clinician's name (start of any word)." },
      communication: {
        kind: 'token',
        documentation: 'A language the clinician treats in (BCP 47).',
      },
      active: { kind: 'token', documentation: 'true unless the clinician has left.' },
    },
    async search(db, search) {
      const rows = await searchClinicians(db, search, 'Practitioner');
      return rows.map(({ clinician, external }) => ({
        key: clinician.id,
        resource: practitionerToFhir(clinician, external),
        patientIds: nobody,
      }));
    },
  },
  {
    type: 'PractitionerRole',
    permission: 'catalogue:read',
    keyKind: 'uuid',
    patientCompartment: false,
    params: {
      practitioner: { kind: 'reference', documentation: 'The clinician (Practitioner).' },
      location: { kind: 'reference', documentation: 'The location the clinician is based at.' },
      organization: {
        kind: 'reference',
        documentation: "The service area (Organization) of the clinician's location.",
      },
      specialty: { kind: 'token', documentation: 'A specialty of the clinician.' },
      active: { kind: 'token', documentation: 'true while the clinician works (not on leave).' },
    },
    async search(db, search) {
      const rows = await searchClinicians(db, search, 'PractitionerRole');
      return rows.map(({ clinician, serviceAreaId, external }) => ({
        key: clinician.id,
        resource: practitionerRoleToFhir(clinician, serviceAreaId, external),
        patientIds: nobody,
      }));
    },
  },
  {
    type: 'HealthcareService',
    permission: 'catalogue:read',
    keyKind: 'uuid',
    patientCompartment: false,
    params: {
      name: { kind: 'string', documentation: "The provider's name (start of any word)." },
      specialty: { kind: 'token', documentation: 'A specialty the provider treats.' },
      characteristic: {
        kind: 'token',
        documentation: 'An accommodation, a certification or a modality (in_person, virtual).',
      },
      active: { kind: 'token', documentation: 'Every outside provider listed is active.' },
    },
    async search(db, search) {
      const rows = await searchOutsideProviders(db, search);
      return rows.map(({ provider, external }) => ({
        key: provider.id,
        resource: outsideProviderToFhir(provider, external),
        patientIds: nobody,
      }));
    },
  },
];

const none: string[] = [];
const written = (outcome: WriteOutcome) => ({ outcome, patientIds: none });

export const catalogueImporters: readonly Importer[] = [
  {
    type: 'Organization',
    permission: 'catalogue:write',
    prepare(resource) {
      const { value, unused, problems } = serviceAreaFromFhir(resource as Organization);
      return {
        problems,
        unused,
        async write(db, id) {
          const outcome = await writeVersioned(db, 'service_area', id, {
            create: value,
            update: () => value,
          });
          return written(outcome);
        },
      };
    },
  },
  {
    type: 'Location',
    permission: 'catalogue:write',
    prepare(resource, resolve) {
      const { value, unused, problems } = locationFromFhir(resource as FhirLocation, resolve);
      const columns = {
        service_area_id: value.serviceAreaId,
        name: value.name,
        address: value.address,
        lat: value.lat,
        lon: value.lon,
        accessible: value.accessible,
      };
      return {
        problems,
        unused,
        async write(db, id) {
          const outcome = await writeVersioned(db, 'location', id, {
            create: columns,
            update: () => columns,
          });
          return written(outcome);
        },
      };
    },
  },
  {
    // A clinician row needs the role's location and discipline: a Practitioner alone updates a
    // clinician that exists, and writes nothing otherwise (its PractitionerRole creates it).
    type: 'Practitioner',
    permission: 'catalogue:write',
    prepare(resource) {
      const { value, unused, problems } = practitionerFromFhir(resource as Practitioner);
      return {
        problems,
        unused,
        async write(db, id) {
          const outcome = await writeVersioned(db, 'clinician', id, {
            create: undefined,
            update: (current) => ({
              npi: value.npi,
              name: value.name,
              languages: value.languages,
              certifications: value.certifications,
              status: value.inactive ? 'inactive' : current.status,
            }),
          });
          return written(outcome === 'absent' ? 'unchanged' : outcome);
        },
      };
    },
  },
  {
    // The clinician's id is its Practitioner's; the Practitioner of the same Bundle gives the
    // rest of a new clinician.
    type: 'PractitionerRole',
    permission: 'catalogue:write',
    prepare(resource, resolve) {
      const { value, unused, problems } = practitionerRoleFromFhir(
        resource as PractitionerRole,
        resolve,
      );
      const practitioner = value.practitioner;
      const role = {
        discipline: value.discipline,
        specialties: value.specialties,
        location_id: value.locationId,
        fte: value.fte,
        status: value.status,
      };
      const person = practitioner && {
        npi: practitioner.npi,
        name: practitioner.name,
        languages: practitioner.languages,
        certifications: practitioner.certifications,
      };
      return {
        problems,
        unused,
        async write(db, id, exists) {
          const clinicianId = value.clinicianId ?? id;
          // The role's own id may be one the import gave it and no clinician holds (a role has
          // no row of its own): only another clinician's is a conflict.
          if (exists && clinicianId !== id && (await clinicianExists(db, id)))
            throw new AppError(
              'CONFLICT',
              'The PractitionerRole matches one clinician and names another as its practitioner.',
              { id, practitioner: clinicianId },
            );
          const outcome = await writeVersioned(db, 'clinician', clinicianId, {
            create: person && { ...person, ...role },
            update: () => ({ ...person, ...role }),
          });
          if (outcome === 'absent')
            throw new AppError(
              'UNKNOWN_REFERENCE',
              'The PractitionerRole names a Practitioner that is neither in the Bundle nor known.',
              { practitioner: clinicianId },
            );
          return written(outcome);
        },
      };
    },
  },
  {
    type: 'HealthcareService',
    permission: 'catalogue:write',
    prepare(resource, resolve) {
      const { value, unused, problems } = outsideProviderFromFhir(
        resource as HealthcareService,
        resolve,
      );
      const columns = {
        name: value.name,
        organization: value.organization,
        npi: value.npi,
        specialties: value.specialties,
        languages: value.languages,
        certifications: value.certifications,
        modality: value.modality,
        lat: value.lat,
        lon: value.lon,
        accommodations: value.accommodations,
        weekly_capacity: value.weeklyCapacity,
        accepting: value.accepting,
        capacity_confirmed_at: value.capacityConfirmedAt,
      };
      return {
        problems,
        unused,
        async write(db, id) {
          const outcome = await writeVersioned(db, 'outside_provider', id, {
            create: columns,
            update: () => columns,
          });
          return written(outcome);
        },
      };
    },
  },
];
