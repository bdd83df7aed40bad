import type { Extension, Patient as FhirPatient } from '@medplum/fhirtypes';
import type { NewPatient, Patient } from '../patients/patients.domain.ts';
import {
  contactChannels,
  risks,
  type ContactChannel,
  type Risk,
} from '../patients/patients.domain.ts';
import { needs, specialties, type Need, type Specialty } from '../vocabulary/vocabulary.domain.ts';
import {
  coding,
  extension,
  instantText,
  reference,
  systems,
  type ServedType,
} from './fhir.domain.ts';
import {
  fromPosition,
  identifiersOut,
  languageConcept,
  languageOf,
  toPosition,
  Unused,
  type ExternalId,
  type Mapped,
  type Problem,
} from './map.domain.ts';

const type: ServedType = 'Patient';

/** Splits "Given Names Family" for HumanName; the text keeps the name whole. */
function humanName(name: string) {
  const parts = name.trim().split(/\s+/);
  const family = parts.length > 1 ? parts.at(-1) : undefined;
  const given = parts.length > 1 ? parts.slice(0, -1) : parts;
  return { text: name, ...(family ? { family } : {}), given };
}

export function patientToFhir(patient: Patient, external: readonly ExternalId[]): FhirPatient {
  const prefs = patient.contactPreferences;
  const extensions: Extension[] = [
    ...patient.needs.map((need) => extension('need', { valueCoding: coding('need', need) })),
    ...patient.conditions.map((c) =>
      extension('condition', { valueCoding: coding('specialty', c) }),
    ),
    extension('risk', { valueCoding: coding('risk', patient.risk) }),
    extension('perinatal', { valueBoolean: patient.perinatal }),
    ...(patient.dischargedAt
      ? [extension('discharged-at', { valueDateTime: instantText(patient.dischargedAt) })]
      : []),
    ...(prefs.channels ?? []).map((c) => extension('contact-channel', { valueCode: c })),
    ...(prefs.bestTime ? [extension('contact-best-time', { valueString: prefs.bestTime })] : []),
    ...(prefs.doNotLeaveMessage === undefined
      ? []
      : [extension('contact-no-message', { valueBoolean: prefs.doNotLeaveMessage })]),
  ];
  return {
    resourceType: 'Patient',
    id: patient.id,
    meta: { versionId: String(patient.version), lastUpdated: instantText(patient.updatedAt) },
    extension: extensions,
    identifier: identifiersOut(patient.id, external, [
      {
        use: 'usual',
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
        system: systems.mrn,
        value: patient.mrn,
      },
    ]),
    active: true,
    name: [humanName(patient.name)],
    birthDate: patient.birthDate,
    address: [{ use: 'home', extension: [toPosition(patient.lat, patient.lon)] }],
    communication: [{ language: languageConcept(patient.language), preferred: true }],
    managingOrganization: reference('Organization', patient.serviceAreaId),
  };
}

const handled = new Set([
  'resourceType',
  'id',
  'meta',
  'extension',
  'identifier',
  'active',
  'name',
  'birthDate',
  'address',
  'communication',
  'managingOrganization',
]);

/** What an imported patient becomes; the service area may be left to the nearest one. */
export type ImportedPatient = Omit<NewPatient, 'serviceAreaId'> & {
  serviceAreaId: string | undefined;
};

const mrnPattern = /^[A-Z0-9-]{4,20}$/;

/**
 * The record number: Continuity's own identifier, else another system's medical record number
 * (type MR) when it fits Continuity's format, else one derived from that number (new patients
 * only: an existing patient is found by the identifier itself, kept in external_identifier).
 */
function recordNumberOf(resource: FhirPatient): string | undefined {
  const own = resource.identifier?.find((i) => i.system === systems.mrn)?.value;
  if (own !== undefined) return own;
  const record = resource.identifier?.find((i) =>
    i.type?.coding?.some((c) => c.code === 'MR'),
  )?.value;
  if (record === undefined) return undefined;
  const upper = record.toUpperCase();
  if (mrnPattern.test(upper)) return upper;
  const compact = upper.replace(/[^A-Z0-9]/g, '');
  return compact.length >= 3 ? `X${compact.slice(-19)}` : undefined;
}

/** A patient as Continuity would create it from FHIR, what it left unused, and what stops it. */
export function patientFromFhir(
  resource: FhirPatient,
  resolve: (ref: string | undefined, types: readonly ServedType[]) => string | undefined,
): Mapped<ImportedPatient> & { problems: Problem[] } {
  const unused = new Unused(type, resource, handled);
  const ext = unused.extensions(resource.extension);
  const problems: Problem[] = [];
  const mrn = recordNumberOf(resource);
  if (mrn === undefined || !mrnPattern.test(mrn))
    problems.push({
      path: 'Patient.identifier',
      problem: `needs a record number (system ${systems.mrn}, 4 to 20 of A-Z 0-9 -), or an MR-typed identifier`,
    });
  const name = resource.name?.find((n) => n.use === 'official') ?? resource.name?.[0];
  const fullName = name?.text ?? [...(name?.given ?? []), name?.family ?? ''].join(' ').trim();
  if (fullName === '') problems.push({ path: 'Patient.name', problem: 'needs a name' });
  if (!resource.birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(resource.birthDate))
    problems.push({ path: 'Patient.birthDate', problem: 'needs a full date of birth' });
  const address = resource.address?.[0];
  const position = fromPosition(address?.extension);
  if (!position)
    problems.push({
      path: 'Patient.address',
      problem: 'needs a geolocation extension (latitude, longitude)',
    });
  unused.nested('address', address, ['use', 'extension']);
  if ((resource.address?.length ?? 0) > 1) unused.add('address[1]');
  unused.nested('name', name, ['text', 'given', 'family', 'use']);
  if ((resource.name?.length ?? 0) > 1) unused.add('name[1]');
  const managing = resource.managingOrganization?.reference;
  const serviceAreaId = resolve(managing, ['Organization']);
  if (managing !== undefined && serviceAreaId === undefined)
    problems.push({
      path: 'Patient.managingOrganization',
      problem: 'names no known service area (Organization)',
    });
  const channels = ext
    .codes('contact-channel')
    .filter((c): c is ContactChannel => (contactChannels as readonly string[]).includes(c));
  const doNotLeaveMessage = ext.boolean('contact-no-message');
  const bestTime = ext.string('contact-best-time');
  const risk = ext.codings('risk', 'risk')[0] ?? 'low';
  if (!(risks as readonly string[]).includes(risk))
    problems.push({ path: 'Patient.extension(risk)', problem: `one of ${risks.join(', ')}` });
  return {
    value: {
      mrn: mrn ?? '',
      name: fullName,
      birthDate: resource.birthDate ?? '',
      language:
        languageOf(
          resource.communication?.find((c) => c.preferred) ?? resource.communication?.[0],
        ) ?? 'en',
      serviceAreaId,
      lat: position?.lat ?? 0,
      lon: position?.lon ?? 0,
      needs: ext
        .codings('need', 'need')
        .filter((n): n is Need => (needs as readonly string[]).includes(n)),
      conditions: ext
        .codings('condition', 'specialty')
        .filter((c): c is Specialty => (specialties as readonly string[]).includes(c)),
      risk: risk as Risk,
      perinatal: ext.boolean('perinatal') ?? false,
      dischargedAt: ext.dateTime('discharged-at') ?? null,
      contactPreferences: {
        ...(channels.length > 0 ? { channels } : {}),
        ...(bestTime === undefined ? {} : { bestTime }),
        ...(doNotLeaveMessage === undefined ? {} : { doNotLeaveMessage }),
      },
    },
    unused: unused.list(),
    problems,
  };
}
