import type { Extension, Patient as FhirPatient } from '@medplum/fhirtypes';
import type { NewPatient, Patient } from '../patients/patients.domain.ts';
import { contactChannels } from '../patients/patients.domain.ts';
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

/** A patient as Continuity would create it from FHIR, and what it left unused. */
export function patientFromFhir(
  resource: FhirPatient,
  resolve: (ref: string | undefined, types: readonly ServedType[]) => string | undefined,
): Mapped<Omit<NewPatient, 'serviceAreaId'> & { serviceAreaId: string | undefined }> {
  const unused = new Unused(type, resource, handled);
  const ext = unused.extensions(resource.extension);
  const mrn = resource.identifier?.find((i) => i.system === systems.mrn)?.value;
  const name = resource.name?.[0];
  const address = resource.address?.[0];
  const position = fromPosition(address?.extension);
  unused.nested('address', address, ['use', 'extension']);
  if ((resource.address?.length ?? 0) > 1) unused.add('address[1]');
  unused.nested('name', name, ['text', 'given', 'family', 'use']);
  const channels = ext
    .codes('contact-channel')
    .filter((c) => (contactChannels as readonly string[]).includes(c));
  const doNotLeaveMessage = ext.boolean('contact-no-message');
  const bestTime = ext.string('contact-best-time');
  return {
    value: {
      mrn: mrn ?? '',
      name: name?.text ?? [...(name?.given ?? []), name?.family ?? ''].join(' ').trim(),
      birthDate: resource.birthDate ?? '',
      language:
        languageOf(
          resource.communication?.find((c) => c.preferred) ?? resource.communication?.[0],
        ) ?? 'en',
      serviceAreaId: resolve(resource.managingOrganization?.reference, ['Organization']),
      lat: position?.lat ?? Number.NaN,
      lon: position?.lon ?? Number.NaN,
      needs: ext
        .codings('need', 'need')
        .filter((n): n is Need => (needs as readonly string[]).includes(n)),
      conditions: ext
        .codings('condition', 'specialty')
        .filter((c): c is Specialty => (specialties as readonly string[]).includes(c)),
      risk: (ext.codings('risk', 'risk')[0] as NewPatient['risk'] | undefined) ?? 'low',
      perinatal: ext.boolean('perinatal') ?? false,
      dischargedAt: ext.dateTime('discharged-at') ?? null,
      contactPreferences: {
        ...(channels.length > 0
          ? { channels: channels as NonNullable<Patient['contactPreferences']['channels']> }
          : {}),
        ...(bestTime === undefined ? {} : { bestTime }),
        ...(doNotLeaveMessage === undefined ? {} : { doNotLeaveMessage }),
      },
    },
    unused: unused.list(),
  };
}
