import type { HumanName, Practitioner, PractitionerRole, Resource } from '@medplum/fhirtypes';
import type { Clinician, ClinicianStatus } from '../clinicians/clinicians.domain.ts';
import {
  certifications,
  disciplines,
  specialties,
  type Certification,
  type Discipline,
  type Specialty,
} from '../vocabulary/vocabulary.domain.ts';
import { concept, extension, reference, systems } from './fhir.domain.ts';
import {
  metaOf,
  nonEmpty,
  readCodes,
  readLanguages,
  type Checked,
  type References,
} from './map-catalogue.domain.ts';
import { identifiersOut, languageConcept, Unused, type ExternalId } from './map.domain.ts';
import type { EntryProblem } from './sources.ts';

/*
 * A clinician is two FHIR resources with the same id: the Practitioner (who: NPI, name,
 * qualifications, languages) and the PractitionerRole (their work: location, discipline,
 * specialties, FTE, whether they are working). A clinician row needs both halves, so only the
 * role creates one; the Practitioner updates a clinician that exists.
 */

/** Splits "Given Names Family" for HumanName; the text keeps the name whole. */
function humanName(name: string): HumanName {
  const parts = name.trim().split(/\s+/);
  const family = parts.length > 1 ? parts.at(-1) : undefined;
  const given = parts.length > 1 ? parts.slice(0, -1) : parts;
  return { text: name, ...(family ? { family } : {}), given };
}

const npiIdentifier = (npi: string) => ({
  use: 'official' as const,
  system: systems.npi,
  value: npi,
});

export function practitionerToFhir(
  clinician: Clinician,
  external: readonly ExternalId[],
): Practitioner {
  return {
    resourceType: 'Practitioner',
    id: clinician.id,
    meta: metaOf(clinician),
    identifier: identifiersOut(clinician.id, external, [npiIdentifier(clinician.npi)]),
    active: clinician.status !== 'inactive',
    name: [humanName(clinician.name)],
    qualification: [
      { code: concept('discipline', clinician.discipline) },
      ...clinician.certifications.map((c) => ({ code: concept('certification', c) })),
    ],
    communication: clinician.languages.map(languageConcept),
  };
}

export function practitionerRoleToFhir(
  clinician: Clinician,
  serviceAreaId: string,
  external: readonly ExternalId[],
): PractitionerRole {
  return {
    resourceType: 'PractitionerRole',
    id: clinician.id,
    meta: metaOf(clinician),
    extension: [extension('fte', { valueDecimal: clinician.fte })],
    identifier: identifiersOut(clinician.id, external, [npiIdentifier(clinician.npi)]),
    active: clinician.status === 'active',
    practitioner: reference('Practitioner', clinician.id),
    organization: reference('Organization', serviceAreaId),
    code: [concept('discipline', clinician.discipline)],
    ...nonEmpty(
      'specialty',
      clinician.specialties.map((s) => concept('specialty', s)),
    ),
    location: [reference('Location', clinician.locationId)],
    ...(clinician.status === 'leave' ? { notAvailable: [{ description: 'On leave' }] } : {}),
  };
}

/** What a Practitioner says about a clinician. */
export interface PractitionerFields {
  npi: string;
  name: string;
  languages: string[];
  certifications: Certification[];
  /** The discipline among its qualifications, if any (the role's code comes first). */
  discipline: Discipline | undefined;
  /** `active: false`: the clinician no longer works (anything else is the role's to say). */
  inactive: boolean;
}

const practitionerHandled = new Set([
  'resourceType',
  'id',
  'meta',
  'identifier',
  'active',
  'name',
  'qualification',
  'communication',
]);

export function practitionerFromFhir(resource: Practitioner): Checked<PractitionerFields> {
  const unused = new Unused('Practitioner', resource, practitionerHandled);
  const problems: EntryProblem[] = [];
  unused.extensions(resource.extension);
  const npi = resource.identifier?.find((i) => i.system === systems.npi)?.value;
  if (npi === undefined || !/^\d{10}$/.test(npi))
    problems.push({
      path: 'Practitioner.identifier',
      problem: `needs an NPI (system ${systems.npi}, 10 digits)`,
    });
  const name = resource.name?.find((n) => n.use === 'official') ?? resource.name?.[0];
  const fullName = (
    name?.text ?? [...(name?.prefix ?? []), ...(name?.given ?? []), name?.family ?? ''].join(' ')
  ).trim();
  if (fullName === '' || fullName.length > 200)
    problems.push({ path: 'Practitioner.name', problem: 'needs a name of 1 to 200 characters' });
  unused.nested('name', name, ['text', 'given', 'family', 'use', 'prefix']);
  if ((resource.name?.length ?? 0) > 1) unused.add('name[1]');
  for (const [i, q] of (resource.qualification ?? []).entries())
    unused.nested(`qualification[${i}]`, q, ['code']);
  const found = readCodes(
    resource.qualification?.map((q) => q.code),
    { discipline: disciplines, certification: certifications },
    'qualification.code',
    unused,
    problems,
  );
  const languages = readLanguages(resource.communication, 'communication', unused);
  return {
    value: {
      npi: npi ?? '',
      name: fullName,
      languages: languages.length > 0 ? languages : ['en'],
      certifications: found.certification as Certification[],
      discipline: found.discipline[0] as Discipline | undefined,
      inactive: resource.active === false,
    },
    unused: unused.list(),
    problems,
  };
}

/** What a PractitionerRole says about a clinician, and the Practitioner it names. */
export interface RoleFields {
  /** The clinician's id: the one the role's `practitioner` names. */
  clinicianId: string | undefined;
  /** The Practitioner of the same Bundle, when there is one (else the clinician must exist). */
  practitioner: PractitionerFields | undefined;
  discipline: Discipline;
  specialties: Specialty[];
  locationId: string;
  fte: number;
  status: ClinicianStatus;
}

const roleHandled = new Set([
  'resourceType',
  'id',
  'meta',
  'extension',
  'identifier',
  'active',
  'practitioner',
  'organization',
  'code',
  'specialty',
  'location',
  'notAvailable',
]);

export function practitionerRoleFromFhir(
  resource: PractitionerRole,
  refs: References,
): Checked<RoleFields> {
  const unused = new Unused('PractitionerRole', resource, roleHandled);
  const problems: EntryProblem[] = [];
  const ext = unused.extensions(resource.extension);

  const practitionerRef = resource.practitioner?.reference;
  const clinicianId = refs.id(practitionerRef, ['Practitioner']);
  const named: Resource | undefined = refs.resource(practitionerRef);
  const practitioner =
    named?.resourceType === 'Practitioner' ? practitionerFromFhir(named) : undefined;
  if (clinicianId === undefined)
    problems.push({
      path: 'PractitionerRole.practitioner',
      problem: 'needs a Practitioner of the same Bundle, or one that exists',
    });
  if (practitioner && practitioner.problems.length > 0)
    problems.push({
      path: 'PractitionerRole.practitioner',
      problem: 'names a Practitioner that cannot be imported (see its own entry)',
    });

  // The organization is the location's service area: Continuity derives it.
  const locationId = refs.id(resource.location?.[0]?.reference, ['Location']);
  if (locationId === undefined)
    problems.push({
      path: 'PractitionerRole.location',
      problem: 'needs a reference to a known Location',
    });
  if ((resource.location?.length ?? 0) > 1) unused.add('location[1]');

  const { discipline } = readCodes(
    resource.code,
    { discipline: disciplines },
    'code',
    unused,
    problems,
  );
  const chosen = (discipline[0] as Discipline | undefined) ?? practitioner?.value.discipline;
  if (chosen === undefined)
    problems.push({
      path: 'PractitionerRole.code',
      problem: `needs a discipline (system https://continuity.health/fhir/CodeSystem/discipline)`,
    });
  const { specialty } = readCodes(
    resource.specialty,
    { specialty: specialties },
    'specialty',
    unused,
    problems,
  );

  const given = ext.decimal('fte');
  const fte = given === undefined ? 1 : Math.round(given * 100) / 100;
  if (!(fte > 0 && fte <= 1))
    problems.push({ path: "PractitionerRole.extension('fte')", problem: 'more than 0, at most 1' });

  const onLeave = (resource.notAvailable?.length ?? 0) > 0;
  for (const [i, n] of (resource.notAvailable ?? []).entries())
    unused.nested(`notAvailable[${i}]`, n, ['description']);
  const status: ClinicianStatus =
    practitioner?.value.inactive === true
      ? 'inactive'
      : resource.active === false
        ? onLeave
          ? 'leave'
          : 'inactive'
        : 'active';
  if (status === 'active' && onLeave) unused.add('notAvailable');

  return {
    value: {
      clinicianId,
      practitioner: practitioner?.value,
      discipline: chosen ?? 'lcsw',
      specialties: specialty as Specialty[],
      locationId: locationId ?? '',
      fte,
      status,
    },
    unused: unused.list(),
    problems,
  };
}
