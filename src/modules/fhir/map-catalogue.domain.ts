import type {
  CodeableConcept,
  Location as FhirLocation,
  Organization,
  Resource,
} from '@medplum/fhirtypes';
import type { Location, NewLocation } from '../locations/locations.domain.ts';
import type { NewServiceArea, ServiceArea } from '../service-areas/service-areas.domain.ts';
import {
  codeSystem,
  extension,
  instantText,
  reference,
  systems,
  type ServedType,
} from './fhir.domain.ts';
import {
  fromPosition,
  identifiersOut,
  languageOf,
  toPosition,
  Unused,
  type ExternalId,
  type Mapped,
} from './map.domain.ts';
import type { EntryProblem } from './sources.ts';

/*
 * The catalogue's places as FHIR, both ways: a service area is an
 * Organization, a location a Location; and what every catalogue mapper shares. Clinicians
 * (Practitioner, PractitionerRole) are in map-practitioner.domain.ts, outside providers
 * (HealthcareService) in map-healthcare-service.domain.ts.
 */

/** What an import maps to, what it left unused, and what stops it. */
export type Checked<T> = Mapped<T> & { problems: EntryProblem[] };

/** How a mapper asks about references: the id named, and a resource of the same Bundle. */
export interface References {
  id(reference: string | undefined, types: readonly ServedType[]): string | undefined;
  resource(reference: string | undefined): Resource | undefined;
}

/** An array element only when it has items: FHIR JSON never holds an empty array. */
export function nonEmpty<K extends string, T>(name: K, items: T[]): Partial<Record<K, T[]>> {
  return (items.length > 0 ? { [name]: items } : {}) as Partial<Record<K, T[]>>;
}

export const metaOf = (entity: { version: number; updatedAt: Date }) => ({
  versionId: String(entity.version),
  lastUpdated: instantText(entity.updatedAt),
});

/**
 * The codes of Continuity's vocabularies found in concepts, by vocabulary. A code in one of
 * these systems but not in its vocabulary is a problem (the data says something Continuity
 * cannot hold); codings of other systems, and texts, are reported unused.
 */
export function readCodes<V extends string>(
  concepts: readonly CodeableConcept[] | undefined,
  vocabularies: Readonly<Record<V, readonly string[]>>,
  path: string,
  unused: Unused,
  problems: EntryProblem[],
): Record<V, string[]> {
  const names = Object.keys(vocabularies) as V[];
  const found = Object.fromEntries(names.map((name) => [name, [] as string[]])) as Record<
    V,
    string[]
  >;
  const bySystem = new Map(names.map((name) => [codeSystem(name), name]));
  for (const c of concepts ?? []) {
    if (c.text !== undefined) unused.add(`${path}.text`);
    for (const x of c.coding ?? []) {
      const name = x.system === undefined ? undefined : bySystem.get(x.system);
      if (name === undefined) {
        unused.add(
          x.system === undefined
            ? `${path}.coding.where(system.empty())`
            : `${path}.coding.where(system='${x.system}')`,
        );
      } else if (x.code !== undefined && vocabularies[name].includes(x.code)) {
        if (!found[name].includes(x.code)) found[name].push(x.code);
      } else {
        problems.push({ path, problem: `a code outside Continuity's ${name} vocabulary` });
      }
    }
  }
  return found;
}

/** ISO 639 languages of concepts (BCP 47 codes); anything else is reported unused. */
export function readLanguages(
  concepts: readonly CodeableConcept[] | undefined,
  path: string,
  unused: Unused,
): string[] {
  const languages: string[] = [];
  for (const c of concepts ?? []) {
    const language = languageOf({ language: c });
    if (language === undefined) unused.add(path);
    else if (!languages.includes(language)) languages.push(language);
  }
  return languages;
}

// ---------------------------------------------------------------------------------------------
// Organization ↔ service area

const organizationType: CodeableConcept = {
  coding: [
    {
      system: 'http://terminology.hl7.org/CodeSystem/organization-type',
      code: 'dept',
      display: 'Hospital Department',
    },
  ],
};

export function serviceAreaToFhir(
  area: ServiceArea,
  external: readonly ExternalId[],
): Organization {
  return {
    resourceType: 'Organization',
    id: area.id,
    meta: metaOf(area),
    extension: [extension('members', { valueInteger: area.members })],
    identifier: identifiersOut(area.id, external, [
      { use: 'official', system: systems.serviceArea, value: area.code },
    ]),
    active: true,
    type: [organizationType],
    name: area.name,
    // The area's centre: an Address is where FHIR puts a position (the geolocation extension).
    address: [{ extension: [toPosition(area.lat, area.lon)] }],
  };
}

const organizationHandled = new Set([
  'resourceType',
  'id',
  'meta',
  'extension',
  'identifier',
  'active',
  'type',
  'name',
  'address',
]);

const codePattern = /^[A-Z0-9_]{2,16}$/;

/** A service area from an Organization: it needs its code (natural identifier) and centre. */
export function serviceAreaFromFhir(resource: Organization): Checked<NewServiceArea> {
  const unused = new Unused('Organization', resource, organizationHandled);
  const problems: EntryProblem[] = [];
  const ext = unused.extensions(resource.extension);
  const code = resource.identifier?.find((i) => i.system === systems.serviceArea)?.value;
  if (code === undefined || !codePattern.test(code))
    problems.push({
      path: 'Organization.identifier',
      problem: `needs a service-area code (system ${systems.serviceArea}, 2 to 16 of A-Z 0-9 _)`,
    });
  if (!resource.name || resource.name.length > 200)
    problems.push({ path: 'Organization.name', problem: 'needs a name of 1 to 200 characters' });
  const address = resource.address?.[0];
  const position = fromPosition(address?.extension);
  if (!position)
    problems.push({
      path: 'Organization.address',
      problem: 'needs the centre as a geolocation extension (latitude, longitude)',
    });
  unused.nested('address', address, ['extension']);
  if ((resource.address?.length ?? 0) > 1) unused.add('address[1]');
  // A service area is a department of the plan, and always active: other statements are not kept.
  if (resource.active === false) unused.add('active');
  for (const [i, t] of (resource.type ?? []).entries())
    if (
      !t.coding?.every(
        (c) => c.system === organizationType.coding?.[0]?.system && c.code === 'dept',
      )
    )
      unused.add(`type[${i}]`);
  const members = ext.integer('members') ?? 0;
  if (members < 0)
    problems.push({ path: "Organization.extension('members')", problem: 'at least 0' });
  return {
    value: {
      code: code ?? '',
      name: resource.name ?? '',
      lat: position?.lat ?? 0,
      lon: position?.lon ?? 0,
      members,
    },
    unused: unused.list(),
    problems,
  };
}

// ---------------------------------------------------------------------------------------------
// Location ↔ location

const building: CodeableConcept = {
  coding: [
    {
      system: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
      code: 'bu',
      display: 'Building',
    },
  ],
};

export function locationToFhir(location: Location, external: readonly ExternalId[]): FhirLocation {
  return {
    resourceType: 'Location',
    id: location.id,
    meta: metaOf(location),
    extension: [extension('accessible', { valueBoolean: location.accessible })],
    identifier: identifiersOut(location.id, external),
    status: 'active',
    name: location.name,
    mode: 'instance',
    address: { text: location.address },
    physicalType: building,
    position: { latitude: location.lat, longitude: location.lon },
    managingOrganization: reference('Organization', location.serviceAreaId),
  };
}

const locationHandled = new Set([
  'resourceType',
  'id',
  'meta',
  'extension',
  'identifier',
  'status',
  'name',
  'mode',
  'address',
  'physicalType',
  'position',
  'managingOrganization',
]);

/** The address as one line of text: its text, else its parts joined. */
function addressText(address: FhirLocation['address']): string {
  if (address?.text) return address.text;
  const parts = [
    ...(address?.line ?? []),
    address?.city,
    [address?.state, address?.postalCode].filter(Boolean).join(' '),
  ];
  return parts.filter((p) => p !== undefined && p !== '').join(', ');
}

/** A location from a Location: it needs a name, an address, a position and its service area. */
export function locationFromFhir(resource: FhirLocation, refs: References): Checked<NewLocation> {
  const unused = new Unused('Location', resource, locationHandled);
  const problems: EntryProblem[] = [];
  const ext = unused.extensions(resource.extension);
  if (!resource.name || resource.name.length > 200)
    problems.push({ path: 'Location.name', problem: 'needs a name of 1 to 200 characters' });
  const address = addressText(resource.address);
  if (address === '' || address.length > 500)
    problems.push({ path: 'Location.address', problem: 'needs an address of 1 to 500 characters' });
  unused.nested('address', resource.address, [
    'text',
    ...(resource.address?.text ? [] : ['line', 'city', 'state', 'postalCode']),
  ]);
  const { latitude, longitude } = resource.position ?? {};
  if (latitude === undefined || longitude === undefined)
    problems.push({ path: 'Location.position', problem: 'needs latitude and longitude' });
  unused.nested('position', resource.position, ['latitude', 'longitude']);
  const managing = resource.managingOrganization?.reference;
  const serviceAreaId = refs.id(managing, ['Organization']);
  if (serviceAreaId === undefined)
    problems.push({
      path: 'Location.managingOrganization',
      problem: 'needs a reference to a known service area (Organization)',
    });
  // Continuity keeps its locations in use; a closed one is not something it can record.
  if (resource.status !== undefined && resource.status !== 'active') unused.add('status');
  if (resource.mode !== undefined && resource.mode !== 'instance') unused.add('mode');
  if (
    resource.physicalType &&
    !resource.physicalType.coding?.every(
      (c) => c.code === 'bu' && c.system === building.coding?.[0]?.system,
    )
  )
    unused.add('physicalType');
  return {
    value: {
      serviceAreaId: serviceAreaId ?? '',
      name: resource.name ?? '',
      address,
      lat: latitude ?? 0,
      lon: longitude ?? 0,
      accessible: ext.boolean('accessible') ?? true,
    },
    unused: unused.list(),
    problems,
  };
}
