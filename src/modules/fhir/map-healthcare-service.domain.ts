import type { Extension, HealthcareService, Location as FhirLocation } from '@medplum/fhirtypes';
import type {
  NewOutsideProvider,
  OutsideProvider,
} from '../outside-providers/outside-providers.domain.ts';
import {
  accommodations,
  certifications,
  providerModalities,
  specialties,
  type Accommodation,
  type Certification,
  type ProviderModality,
  type Specialty,
} from '../vocabulary/vocabulary.domain.ts';
import {
  codeSystem,
  coding,
  concept,
  extension,
  extensionUrl,
  instantText,
  systems,
} from './fhir.domain.ts';
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
 * An outside provider as a HealthcareService, both ways: its NPI when it has one, the
 * organization it works for as `providedBy.display`, specialties, languages, and accommodations,
 * certifications and modality as characteristics; weekly capacity, whether it accepts new
 * patients, when it last confirmed that, and its position as extensions.
 */

const positionUrl = extensionUrl('position');

/** A point as Continuity's position extension (HL7's geolocation is for an Address only). */
function positionExtension(lat: number, lon: number): Extension {
  return {
    url: positionUrl,
    extension: [
      { url: 'latitude', valueDecimal: lat },
      { url: 'longitude', valueDecimal: lon },
    ],
  };
}

function positionOf(extensions: readonly Extension[] | undefined) {
  const found = extensions?.find((e) => e.url === positionUrl);
  const lat = found?.extension?.find((e) => e.url === 'latitude')?.valueDecimal;
  const lon = found?.extension?.find((e) => e.url === 'longitude')?.valueDecimal;
  return lat === undefined || lon === undefined ? undefined : { lat, lon };
}

/** Both modalities are said as two characteristics, so a search for either finds the provider. */
function modalityCodes(modality: ProviderModality): string[] {
  return modality === 'both' ? ['in_person', 'virtual'] : [modality];
}

export function outsideProviderToFhir(
  provider: OutsideProvider,
  external: readonly ExternalId[],
): HealthcareService {
  return {
    resourceType: 'HealthcareService',
    id: provider.id,
    meta: metaOf(provider),
    extension: [
      extension('weekly-capacity', { valueInteger: provider.weeklyCapacity }),
      extension('accepting', { valueBoolean: provider.accepting }),
      positionExtension(provider.lat, provider.lon),
      ...(provider.capacityConfirmedAt
        ? [
            extension('capacity-confirmed-at', {
              valueDateTime: instantText(provider.capacityConfirmedAt),
            }),
          ]
        : []),
    ],
    identifier: identifiersOut(
      provider.id,
      external,
      provider.npi ? [{ system: systems.npi, value: provider.npi }] : [],
    ),
    active: true,
    ...(provider.organization ? { providedBy: { display: provider.organization } } : {}),
    name: provider.name,
    ...nonEmpty(
      'specialty',
      provider.specialties.map((s) => concept('specialty', s)),
    ),
    characteristic: [
      ...provider.accommodations.map((a) => concept('accommodation', a)),
      ...provider.certifications.map((c) => concept('certification', c)),
      ...modalityCodes(provider.modality).map((m) => ({ coding: [coding('modality', m)] })),
    ],
    communication: provider.languages.map(languageConcept),
  };
}

const serviceHandled = new Set([
  'resourceType',
  'id',
  'meta',
  'extension',
  'identifier',
  'active',
  'providedBy',
  'name',
  'specialty',
  'characteristic',
  'communication',
]);

/**
 * An outside provider from a HealthcareService: it needs a name, a modality and a position (the
 * position extension, else the position of a Location of the same Bundle it names).
 */
export function outsideProviderFromFhir(
  resource: HealthcareService,
  refs: References,
): Checked<NewOutsideProvider> {
  let position = positionOf(resource.extension);
  const handled = new Set(serviceHandled);
  if (!position) {
    const place = resource.location
      ?.map((l) => refs.resource(l.reference))
      .find((r): r is FhirLocation => r?.resourceType === 'Location' && r.position !== undefined);
    const at = place?.position;
    if (at) {
      position = { lat: at.latitude, lon: at.longitude };
      handled.add('location');
    }
  }
  const unused = new Unused('HealthcareService', resource, handled);
  const problems: EntryProblem[] = [];
  const ext = unused.extensions(resource.extension?.filter((e) => e.url !== positionUrl));
  if (!resource.name || resource.name.length > 200)
    problems.push({
      path: 'HealthcareService.name',
      problem: 'needs a name of 1 to 200 characters',
    });
  const npi = resource.identifier?.find((i) => i.system === systems.npi)?.value ?? null;
  if (npi !== null && !/^\d{10}$/.test(npi))
    problems.push({ path: 'HealthcareService.identifier', problem: 'an NPI has 10 digits' });
  if (!position)
    problems.push({
      path: 'HealthcareService.extension',
      problem: `needs a position (extension ${positionUrl}, or a Location of the Bundle with one)`,
    });
  const organization = resource.providedBy?.display ?? null;
  unused.nested('providedBy', resource.providedBy, ['display']);
  if (resource.active === false) unused.add('active');
  const { specialty } = readCodes(
    resource.specialty,
    { specialty: specialties },
    'specialty',
    unused,
    problems,
  );
  const { accommodation, certification, modality } = readCodes(
    resource.characteristic,
    { accommodation: accommodations, certification: certifications, modality: providerModalities },
    'characteristic',
    unused,
    problems,
  );
  const modalityValue: ProviderModality | undefined =
    modality.includes('both') || (modality.includes('in_person') && modality.includes('virtual'))
      ? 'both'
      : (modality[0] as ProviderModality | undefined);
  if (modalityValue === undefined)
    problems.push({
      path: 'HealthcareService.characteristic',
      problem: `needs a modality (system ${codeSystem('modality')}: in_person, virtual or both)`,
    });
  const languages = readLanguages(resource.communication, 'communication', unused);
  const weeklyCapacity = ext.integer('weekly-capacity') ?? 0;
  if (weeklyCapacity < 0 || weeklyCapacity > 1000)
    problems.push({
      path: "HealthcareService.extension('weekly-capacity')",
      problem: 'from 0 to 1000',
    });
  const confirmedAt = ext.dateTime('capacity-confirmed-at');
  if (confirmedAt && Number.isNaN(confirmedAt.getTime()))
    problems.push({
      path: "HealthcareService.extension('capacity-confirmed-at')",
      problem: 'a date and time',
    });
  return {
    value: {
      name: resource.name ?? '',
      organization: organization && organization.length <= 200 ? organization : null,
      npi,
      specialties: specialty as Specialty[],
      languages: languages.length > 0 ? languages : ['en'],
      certifications: certification as Certification[],
      modality: modalityValue ?? 'in_person',
      lat: position?.lat ?? 0,
      lon: position?.lon ?? 0,
      accommodations: accommodation as Accommodation[],
      weeklyCapacity,
      accepting: ext.boolean('accepting') ?? true,
      capacityConfirmedAt: confirmedAt ?? null,
    },
    unused: unused.list(),
    problems,
  };
}
