import type {
  HealthcareService,
  Location as FhirLocation,
  Organization,
  Practitioner,
  Resource,
} from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { validateResource } from '../../test/fhir-validate.ts';
import type { Clinician } from '../clinicians/clinicians.domain.ts';
import type { Location } from '../locations/locations.domain.ts';
import type { OutsideProvider } from '../outside-providers/outside-providers.domain.ts';
import type { ServiceArea } from '../service-areas/service-areas.domain.ts';
import { codeSystem, extensionUrl, systems } from './fhir.domain.ts';
import {
  locationFromFhir,
  locationToFhir,
  serviceAreaFromFhir,
  serviceAreaToFhir,
  type References,
} from './map-catalogue.domain.ts';
import { outsideProviderFromFhir, outsideProviderToFhir } from './map-healthcare-service.domain.ts';
import {
  practitionerFromFhir,
  practitionerRoleFromFhir,
  practitionerRoleToFhir,
  practitionerToFhir,
} from './map-practitioner.domain.ts';
import { referenceId } from './map.domain.ts';

const stamp = { version: 3, createdAt: new Date('2025-01-01'), updatedAt: new Date('2025-02-01') };
const areaId = '0190f0a0-0000-7000-8000-000000000001';
const locationId = '0190f0a0-0000-7000-8000-000000000002';
const clinicianId = '0190f0a0-0000-7000-8000-000000000003';
const providerId = '0190f0a0-0000-7000-8000-000000000004';
const ehr = [{ system: 'https://ehr.example.org/ids', value: 'E-17' }];

/** An entity's own fields, without what the server assigns. */
function fieldsOf(entity: object): Record<string, unknown> {
  const server = new Set(['id', 'version', 'createdAt', 'updatedAt']);
  return Object.fromEntries(Object.entries(entity).filter(([key]) => !server.has(key)));
}

/** References as an import would resolve them: any `Type/id`, and the Bundle's resources. */
function refs(bundle: readonly Resource[] = []): References {
  return {
    id: (ref) => referenceId(ref),
    resource: (ref) => bundle.find((r) => `${r.resourceType}/${r.id ?? ''}` === ref),
  };
}

const area: ServiceArea = {
  id: areaId,
  code: 'SFV',
  name: 'San Fernando Valley',
  lat: 34.2,
  lon: -118.5,
  members: 412_000,
  ...stamp,
};

const location: Location = {
  id: locationId,
  serviceAreaId: areaId,
  name: 'Woodland Hills Clinic',
  address: '5601 De Soto Ave, Woodland Hills, CA 91367',
  lat: 34.17,
  lon: -118.59,
  accessible: false,
  ...stamp,
};

const clinician: Clinician = {
  id: clinicianId,
  npi: '1234567893',
  name: 'Ana María Ortega',
  discipline: 'lcsw',
  specialties: ['perinatal_mood_anxiety', 'birth_trauma'],
  languages: ['en', 'es'],
  certifications: ['pmh_c', 'emdr'],
  locationId,
  fte: 0.8,
  status: 'active',
  ...stamp,
};

const provider: OutsideProvider = {
  id: providerId,
  name: 'Valley Perinatal Therapy',
  organization: 'Valley Health Group',
  npi: '1987654321',
  specialties: ['perinatal_mood_anxiety'],
  languages: ['en', 'hy'],
  certifications: ['pmh_c'],
  modality: 'both',
  lat: 34.16,
  lon: -118.5,
  accommodations: ['baby_friendly', 'evening'],
  weeklyCapacity: 6,
  accepting: true,
  capacityConfirmedAt: new Date('2025-02-20T16:00:00.000Z'),
  ...stamp,
};

describe('Organization ↔ service area', () => {
  it('maps out and back to the same service area, as valid FHIR', () => {
    const resource = serviceAreaToFhir(area, ehr);
    expect(validateResource(resource)).toEqual([]);
    expect(resource.identifier).toContainEqual(
      expect.objectContaining({ system: systems.serviceArea, value: 'SFV' }),
    );
    const back = serviceAreaFromFhir(resource);
    expect(back).toEqual({
      value: { code: 'SFV', name: area.name, lat: area.lat, lon: area.lon, members: 412_000 },
      unused: [],
      problems: [],
    });
  });

  it('needs a code and a centre; members default to 0', () => {
    const { value, problems } = serviceAreaFromFhir({ resourceType: 'Organization', name: 'X' });
    expect(value.members).toBe(0);
    expect(problems.map((p) => p.path)).toEqual([
      'Organization.identifier',
      'Organization.address',
    ]);
  });
});

describe('Location ↔ location', () => {
  it('maps out and back to the same location, as valid FHIR', () => {
    const resource = locationToFhir(location, []);
    expect(validateResource(resource)).toEqual([]);
    expect(resource.managingOrganization?.reference).toBe(`Organization/${areaId}`);
    const back = locationFromFhir(resource, refs());
    expect(back).toEqual({ value: fieldsOf(location), unused: [], problems: [] });
  });

  it('refuses a location whose service area is not known, without quoting values', () => {
    const resource = locationToFhir(location, []);
    const { problems } = locationFromFhir(resource, {
      id: () => undefined,
      resource: () => undefined,
    });
    expect(problems).toEqual([
      { path: 'Location.managingOrganization', problem: expect.any(String) as string },
    ]);
    expect(JSON.stringify(problems)).not.toContain(areaId);
  });

  it('builds the address from its parts when it has no text', () => {
    const { value } = locationFromFhir(
      {
        resourceType: 'Location',
        name: 'Clinic',
        address: { line: ['1 Main St'], city: 'Reseda', state: 'CA', postalCode: '91335' },
        position: { latitude: 34.2, longitude: -118.53 },
        managingOrganization: { reference: `Organization/${areaId}` },
      },
      refs(),
    );
    expect(value.address).toBe('1 Main St, Reseda, CA 91335');
  });
});

describe('Practitioner and PractitionerRole ↔ clinician', () => {
  it.each([
    ['active', true, true],
    ['leave', true, false],
    ['inactive', false, false],
  ] as const)(
    'maps a clinician %s out and back (Practitioner.active %s, role active %s)',
    (status, practitionerActive, roleActive) => {
      const working = { ...clinician, status };
      const practitioner = practitionerToFhir(working, ehr);
      const role = practitionerRoleToFhir(working, areaId, []);
      expect(validateResource(practitioner)).toEqual([]);
      expect(validateResource(role)).toEqual([]);
      expect(practitioner.active).toBe(practitionerActive);
      expect(role.active).toBe(roleActive);
      expect(role.notAvailable !== undefined).toBe(status === 'leave');

      const person = practitionerFromFhir(practitioner);
      expect(person.problems).toEqual([]);
      expect(person.unused).toEqual([]);
      const back = practitionerRoleFromFhir(role, refs([practitioner]));
      expect(back.problems).toEqual([]);
      expect(back.unused).toEqual([]);
      expect(back.value).toEqual({
        clinicianId,
        practitioner: {
          npi: working.npi,
          name: working.name,
          languages: working.languages,
          certifications: working.certifications,
          discipline: working.discipline,
          inactive: status === 'inactive',
        },
        discipline: working.discipline,
        specialties: working.specialties,
        locationId,
        fte: 0.8,
        status,
      });
    },
  );

  it('leaves out what a clinician or a provider has none of (FHIR has no empty arrays)', () => {
    const role = practitionerRoleToFhir({ ...clinician, specialties: [] }, areaId, []);
    expect(role).not.toHaveProperty('specialty');
    expect(validateResource(role)).toEqual([]);
    expect(practitionerRoleFromFhir(role, refs()).value.specialties).toEqual([]);
    const service = outsideProviderToFhir({ ...provider, specialties: [] }, []);
    expect(service).not.toHaveProperty('specialty');
  });

  it('refuses a role whose practitioner is neither in the Bundle nor known', () => {
    const role = practitionerRoleToFhir(clinician, areaId, []);
    const { problems } = practitionerRoleFromFhir(role, {
      id: (ref, types) => (types.includes('Location') ? referenceId(ref) : undefined),
      resource: () => undefined,
    });
    expect(problems.map((p) => p.path)).toEqual(['PractitionerRole.practitioner']);
  });

  it('refuses codes of Continuity vocabularies it does not know', () => {
    const role = practitionerRoleToFhir(clinician, areaId, []);
    role.specialty = [{ coding: [{ system: codeSystem('specialty'), code: 'astrology' }] }];
    const { problems } = practitionerRoleFromFhir(role, refs());
    expect(problems).toEqual([
      { path: 'specialty', problem: "a code outside Continuity's specialty vocabulary" },
    ]);
  });

  it('reports what an EHR sends and Continuity does not keep', () => {
    const resource: Practitioner = {
      resourceType: 'Practitioner',
      id: 'ehr-1',
      identifier: [{ system: systems.npi, value: '1234567893' }],
      active: true,
      name: [{ use: 'official', family: 'Ortega', given: ['Ana'], suffix: ['LCSW'] }],
      gender: 'female',
      telecom: [{ system: 'phone', value: '555-0100' }],
      communication: [{ coding: [{ system: 'urn:ietf:bcp:47', code: 'es-MX' }] }],
      qualification: [
        {
          code: {
            coding: [{ system: 'http://nucc.org/provider-taxonomy', code: '1041C0700X' }],
          },
          issuer: { display: 'California BBS' },
        },
      ],
    };
    const { value, unused, problems } = practitionerFromFhir(resource);
    expect(problems).toEqual([]);
    expect(value).toMatchObject({ name: 'Ana Ortega', languages: ['es'], certifications: [] });
    expect(unused).toEqual([
      'Practitioner.gender',
      'Practitioner.name.suffix',
      "Practitioner.qualification.code.coding.where(system='http://nucc.org/provider-taxonomy')",
      'Practitioner.qualification[0].issuer',
      'Practitioner.telecom',
    ]);
  });
});

describe('HealthcareService ↔ outside provider', () => {
  it.each([
    ['both', ['in_person', 'virtual']],
    ['virtual', ['virtual']],
    ['in_person', ['in_person']],
  ] as const)('maps a provider seeing patients %s out and back', (modality, codes) => {
    const given = { ...provider, modality };
    const resource = outsideProviderToFhir(given, ehr);
    expect(validateResource(resource)).toEqual([]);
    const modalities = resource.characteristic
      ?.flatMap((c) => c.coding ?? [])
      .filter((c) => c.system === codeSystem('modality'))
      .map((c) => c.code);
    expect(modalities).toEqual(codes);
    const back = outsideProviderFromFhir(resource, refs());
    expect(back).toEqual({ value: fieldsOf(given), unused: [], problems: [] });
  });

  it('keeps a provider without NPI, organization or confirmation as such', () => {
    const given = { ...provider, npi: null, organization: null, capacityConfirmedAt: null };
    const resource = outsideProviderToFhir(given, []);
    expect(validateResource(resource)).toEqual([]);
    expect(resource.identifier).toHaveLength(1);
    const { value } = outsideProviderFromFhir(resource, refs());
    expect(value).toMatchObject({ npi: null, organization: null, capacityConfirmedAt: null });
  });

  it('takes the position of a Location of the Bundle, and reports foreign fields', () => {
    const place: FhirLocation = {
      resourceType: 'Location',
      id: 'loc-1',
      position: { latitude: 34.1, longitude: -118.4 },
    };
    const resource: HealthcareService = {
      resourceType: 'HealthcareService',
      name: 'Reseda Counseling',
      location: [{ reference: 'Location/loc-1' }],
      providedBy: { reference: 'Organization/ehr-9', display: 'Reseda Health' },
      telecom: [{ system: 'phone', value: '555-0101' }],
      characteristic: [{ coding: [{ system: codeSystem('modality'), code: 'virtual' }] }],
      specialty: [{ coding: [{ system: 'http://snomed.info/sct', code: '394587001' }] }],
      extension: [{ url: extensionUrl('weekly-capacity'), valueInteger: 4 }],
    };
    const { value, unused, problems } = outsideProviderFromFhir(resource, refs([place]));
    expect(problems).toEqual([]);
    expect(value).toMatchObject({ lat: 34.1, lon: -118.4, modality: 'virtual', weeklyCapacity: 4 });
    expect(unused).toEqual([
      'HealthcareService.providedBy.reference',
      "HealthcareService.specialty.coding.where(system='http://snomed.info/sct')",
      'HealthcareService.telecom',
    ]);
  });

  it('needs a name, a modality and a position', () => {
    const { problems } = outsideProviderFromFhir({ resourceType: 'HealthcareService' }, refs());
    expect(problems.map((p) => p.path).sort()).toEqual([
      'HealthcareService.characteristic',
      'HealthcareService.extension',
      'HealthcareService.name',
    ]);
  });
});

describe('EHR-style organizations', () => {
  it('reports the elements Continuity does not keep', () => {
    const resource: Organization = {
      resourceType: 'Organization',
      identifier: [{ system: systems.serviceArea, value: 'SGV' }],
      name: 'San Gabriel Valley',
      type: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov' },
          ],
        },
      ],
      telecom: [{ system: 'phone', value: '555-0102' }],
      address: [
        {
          city: 'Pasadena',
          extension: [
            {
              url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
              extension: [
                { url: 'latitude', valueDecimal: 34.1 },
                { url: 'longitude', valueDecimal: -118.1 },
              ],
            },
          ],
        },
      ],
      extension: [{ url: 'https://ehr.example.org/tier', valueString: 'gold' }],
    };
    const { value, unused, problems } = serviceAreaFromFhir(resource);
    expect(problems).toEqual([]);
    expect(value).toEqual({
      code: 'SGV',
      name: 'San Gabriel Valley',
      lat: 34.1,
      lon: -118.1,
      members: 0,
    });
    expect(unused).toEqual([
      'Organization.address.city',
      "Organization.extension('https://ehr.example.org/tier')",
      'Organization.telecom',
      'Organization.type[0]',
    ]);
  });
});
