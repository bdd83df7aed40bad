import { AppError } from '../../shared/errors.ts';
import type { Accommodation, Certification, Specialty } from '../vocabulary/vocabulary.domain.ts';
import {
  checkAccommodations,
  checkCertifications,
  checkCoordinate,
  checkInstant,
  checkLanguages,
  checkName,
  checkNpi,
  checkOrganization,
  checkSpecialties,
  checkWeeklyCapacity,
  directoryLimits,
  Problems,
  UnusedFields,
  type DirectoryEntry,
  type ParsedDirectory,
  type RejectedRow,
} from './directory.domain.ts';

/*
 * The directory as Open Referral HSDS 3 JSON (3.1 for service_capacity). One outside provider is
 * one HSDS `service`, with its organization, locations and the rest nested in it, as the HSDS API
 * answers `GET /services/{id}`. How each field maps:
 *
 * | HSDS                                              | Continuity                                   |
 * |---------------------------------------------------|----------------------------------------------|
 * | service.name                                      | name                                         |
 * | service.organization.name                         | organization                                 |
 * | service.status: active / any other                | accepting: true / false (export writes       |
 * |                                                   | `temporarily closed` for false)              |
 * | service.languages[].code, location.languages[]    | languages (ISO 639)                          |
 * | service_at_locations[].location.location_type     | modality: physical → in_person,              |
 * |                                                   | virtual → virtual, both kinds → both         |
 * | location.latitude / longitude (first physical     | lat / lon                                    |
 * | location that has them, else the first that does) |                                              |
 * | service.attributes[] whose taxonomy_term.taxonomy | specialties, certifications, accommodations: |
 * | is urn:continuity:specialty / :certification /    | the term's code is ours                      |
 * | :accommodation                                    |                                              |
 * | attribute of taxonomy urn:continuity:npi          | npi (attribute.value)                        |
 * | service.capacities[] (unit new patients per week  | weeklyCapacity (available) and               |
 * | or open seats)                                    | capacityConfirmedAt (updated)                |
 *
 * Everything else is reported as unused, by path and count. Two choices to know:
 * - location.accessibility is free text and is not read as an accommodation: text can say "no
 *   wheelchair access", and a wrong wheelchair flag sends a patient to a door they cannot use.
 *   The export writes wheelchair access there too, for readers of the file.
 * - HSDS requires service_capacity.updated; the export omits it for a capacity never confirmed,
 *   because any date written there would claim a confirmation that did not happen.
 */

export const continuityTaxonomies = {
  specialty: 'urn:continuity:specialty',
  certification: 'urn:continuity:certification',
  accommodation: 'urn:continuity:accommodation',
  npi: 'urn:continuity:npi',
} as const;

const serviceStatuses = ['active', 'inactive', 'defunct', 'temporarily closed'];

/** The capacity units read as new-patient room; the export writes the first. */
const capacityUnits = [
  { identifier: 'new_patients_per_week', name: 'new patients per week' },
  { identifier: 'open_seats', name: 'open seats' },
] as const;

export const termNames = {
  perinatal_mood_anxiety: 'Perinatal mood and anxiety disorders',
  perinatal_psychosis_risk: 'Perinatal psychosis risk',
  birth_trauma: 'Birth trauma',
  psychosis: 'Psychosis',
  ptsd: 'Post-traumatic stress disorder',
  eating_disorders: 'Eating disorders',
  depression: 'Depression',
  general_anxiety: 'Generalized anxiety',
  social_anxiety: 'Social anxiety',
  ocd: 'Obsessive-compulsive disorder',
  bipolar: 'Bipolar disorder',
  substance_use: 'Substance use',
  grief: 'Grief',
  dbt_skills: 'DBT skills',
  anger_management: 'Anger management',
  adolescent_mood: 'Adolescent mood',
  pmh_c: 'Perinatal Mental Health Certification (PMH-C)',
  dbt_certified: 'DBT certified',
  emdr: 'EMDR',
  cadc: 'Certified Alcohol and Drug Counselor (CADC)',
  baby_friendly: 'Baby-friendly: patients may bring their infants',
  interpreter: 'Interpreter available',
  evening: 'Evening hours',
  wheelchair: 'Wheelchair accessible',
} as const satisfies Record<Specialty | Certification | Accommodation, string>;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;
const objects = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** Reports the keys of `object` that are not in `used`, as `prefix.key`. */
function noteUnused(object: Json, used: readonly string[], prefix: string, unused: UnusedFields) {
  for (const key of Object.keys(object))
    if (!used.includes(key) && object[key] !== null) unused.add(`${prefix}.${key}`);
}

function servicesOf(document: unknown): unknown[] {
  if (Array.isArray(document)) return document;
  if (isObject(document) && Array.isArray(document.contents)) return document.contents;
  if (isObject(document) && 'name' in document) return [document];
  throw new AppError(
    'VALIDATION_FAILED',
    'The HSDS JSON must be a service, an array of services, or a page of them ({ "contents": [...] }).',
  );
}

interface Place {
  type: string;
  lat: unknown;
  lon: unknown;
  id: string;
}

function placesOf(service: Json, unused: UnusedFields, problems: Problems, languages: string[]) {
  const places: Place[] = [];
  for (const at of objects(service.service_at_locations)) {
    noteUnused(at, ['id', 'location'], 'service_at_location', unused);
    if (!isObject(at.location)) {
      problems.add(`service_at_location ${text(at.id) ?? ''} has no nested location`.trim());
      continue;
    }
    const location = at.location;
    noteUnused(
      location,
      ['id', 'location_type', 'latitude', 'longitude', 'languages', 'accessibility'],
      'location',
      unused,
    );
    for (const entry of objects(location.accessibility)) {
      noteUnused(entry, ['id'], 'accessibility', unused);
    }
    languages.push(...languageCodes(location.languages, problems, unused));
    places.push({
      type: text(location.location_type) ?? '',
      lat: location.latitude,
      lon: location.longitude,
      id: text(location.id) ?? '',
    });
  }
  return places;
}

function languageCodes(value: unknown, problems: Problems, unused: UnusedFields): string[] {
  return objects(value).flatMap((language) => {
    noteUnused(language, ['id', 'code', 'name'], 'language', unused);
    const code = text(language.code);
    if (code) return [code];
    problems.add(
      `language ${JSON.stringify(text(language.name) ?? text(language.id) ?? '?')} has no ISO 639 code`,
    );
    return [];
  });
}

function readService(service: Json, unused: UnusedFields, problems: Problems) {
  noteUnused(
    service,
    [
      'id',
      'name',
      'status',
      'organization',
      'service_at_locations',
      'languages',
      'attributes',
      'capacities',
    ],
    'service',
    unused,
  );
  const fields: DirectoryEntry['fields'] = { name: checkName(text(service.name) ?? '', problems) };

  if (isObject(service.organization)) {
    noteUnused(service.organization, ['id', 'name'], 'organization', unused);
    fields.organization = checkOrganization(text(service.organization.name) ?? '', problems);
  } else fields.organization = null;

  const status = text(service.status);
  const statuses = serviceStatuses.join(', ');
  if (status === undefined) problems.add(`status is missing: give one of ${statuses}`);
  else if (!serviceStatuses.includes(status))
    problems.add(`status ${JSON.stringify(status)} is not one of: ${statuses}`);
  fields.accepting = status === 'active';

  const languages = languageCodes(service.languages, problems, unused);
  const places = placesOf(service, unused, problems, languages);
  fields.languages = checkLanguages(languages, problems);

  const physical = places.some((p) => p.type === 'physical');
  const virtual = places.some((p) => p.type === 'virtual');
  if (physical || virtual)
    fields.modality = physical && virtual ? 'both' : physical ? 'in_person' : 'virtual';
  else
    problems.add(
      'no physical or virtual location, so it is unknown how the provider sees patients',
    );
  // A postal address is where letters go, not where patients are seen; and a provider has one
  // place here, so any further location is left out (and said so).
  for (const place of places) if (place.type === 'postal') unused.add('location (postal)');
  if (places.filter((p) => p.type === 'physical').length > 1)
    unused.add('location (a second physical location: one place a provider)');
  const located = places
    .filter((p) => p.type === 'physical' || p.type === 'virtual')
    .sort((a, b) => Number(b.type === 'physical') - Number(a.type === 'physical'))
    .find((p) => typeof p.lat === 'number' && typeof p.lon === 'number');
  if (located) {
    fields.lat = checkCoordinate(located.lat as number, 'lat', problems);
    fields.lon = checkCoordinate(located.lon as number, 'lon', problems);
  } else if (places.length > 0) problems.add('no location has a latitude and a longitude');

  readAttributes(service, fields, unused, problems);
  readCapacities(service, fields, unused, problems);
  return fields;
}

function readAttributes(
  service: Json,
  fields: DirectoryEntry['fields'],
  unused: UnusedFields,
  problems: Problems,
) {
  const codes = {
    specialty: [] as string[],
    certification: [] as string[],
    accommodation: [] as string[],
  };
  for (const attribute of objects(service.attributes)) {
    const term = isObject(attribute.taxonomy_term) ? attribute.taxonomy_term : {};
    const taxonomy = text(term.taxonomy);
    const kind = (Object.keys(continuityTaxonomies) as (keyof typeof continuityTaxonomies)[]).find(
      (k) => continuityTaxonomies[k] === taxonomy,
    );
    if (kind === undefined) {
      unused.add('attribute (not a Continuity taxonomy)');
      continue;
    }
    if (kind === 'npi') fields.npi = checkNpi(text(attribute.value) ?? '', problems);
    else codes[kind].push(text(term.code) ?? '');
  }
  fields.specialties = checkSpecialties(codes.specialty, problems);
  fields.certifications = checkCertifications(codes.certification, problems);
  fields.accommodations = checkAccommodations(codes.accommodation, problems);
}

function readCapacities(
  service: Json,
  fields: DirectoryEntry['fields'],
  unused: UnusedFields,
  problems: Problems,
) {
  const usable = objects(service.capacities).filter((capacity) => {
    const unit = isObject(capacity.unit) ? capacity.unit : {};
    const known = capacityUnits.some(
      (u) =>
        text(unit.identifier) === u.identifier || text(unit.name)?.trim().toLowerCase() === u.name,
    );
    if (!known)
      unused.add('service_capacity (a unit other than new patients per week or open seats)');
    else noteUnused(capacity, ['id', 'unit', 'available', 'updated'], 'service_capacity', unused);
    return known;
  });
  const [capacity, ...more] = usable;
  if (!capacity) {
    problems.add('no service_capacity in new patients per week or open seats');
    return;
  }
  if (more.length > 0) problems.add(`${usable.length} capacities in usable units; give one`);
  const available = capacity.available;
  fields.weeklyCapacity = checkWeeklyCapacity(
    typeof available === 'number' ? available : Number.NaN,
    problems,
  );
  const updated = text(capacity.updated);
  fields.capacityConfirmedAt =
    updated === undefined ? null : checkInstant(updated, 'service_capacity.updated', problems);
}

/**
 * Reads HSDS JSON: a service, an array of services, or a page (`contents`). Throws
 * VALIDATION_FAILED for text that is not such JSON and PAYLOAD_TOO_LARGE past the service limit;
 * each bad service is rejected under its id (or its position) with every problem it has.
 */
export function readDirectoryHsds(json: string): ParsedDirectory {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The HSDS file is not valid JSON.');
  }
  const services = servicesOf(document);
  if (services.length > directoryLimits.maxEntries)
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `The file has ${services.length} services; an import takes at most ${directoryLimits.maxEntries}. Split the file.`,
      { rows: services.length, maxRows: directoryLimits.maxEntries },
    );
  const unused = new UnusedFields();
  const entries: DirectoryEntry[] = [];
  const rejected: RejectedRow[] = [];
  services.forEach((service, i) => {
    const id = isObject(service) ? text(service.id) : undefined;
    const row = id ?? `#${i + 1}`;
    if (!isObject(service)) {
      rejected.push({ row, problems: ['is not an object'] });
      return;
    }
    const problems = new Problems();
    const fields = readService(service, unused, problems);
    if (problems.list.length > 0) rejected.push({ row, problems: problems.list });
    else entries.push({ row, fields });
  });
  return { entries, rejected, unused: unused.list() };
}
