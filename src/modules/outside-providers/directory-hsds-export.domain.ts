import type { Accommodation, Certification, Specialty } from '../vocabulary/vocabulary.domain.ts';
import { continuityTaxonomies, termNames } from './directory-hsds.domain.ts';
import type { OutsideProvider } from './outside-providers.domain.ts';

/*
 * The directory written as HSDS 3 JSON: one page of services (the shape of the HSDS API's
 * `GET /services`), each with everything nested. See directory-hsds.domain.ts for the mapping.
 * HSDS wants a UUID on every object; `idFor` makes one from a key, the same key giving the same
 * id, so that exporting the same directory twice gives the same file.
 */

export type IdFor = (key: string) => string;

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

function term(
  idFor: IdFor,
  taxonomy: keyof typeof continuityTaxonomies,
  code: Specialty | Certification | Accommodation,
) {
  const termId = idFor(`term:${taxonomy}:${code}`);
  return {
    id: idFor(`attribute:${taxonomy}:${code}`),
    taxonomy_term_id: termId,
    taxonomy_term: {
      id: termId,
      code,
      name: termNames[code],
      description: termNames[code],
      taxonomy: continuityTaxonomies[taxonomy],
    },
  };
}

function serviceOf(p: OutsideProvider, idFor: IdFor) {
  const key = (what: string) => idFor(`${p.id}:${what}`);
  const location = (type: 'physical' | 'virtual') => ({
    id: key(`service_at_location:${type}`),
    location: {
      id: key(`location:${type}`),
      location_type: type,
      name: type === 'physical' ? p.name : `${p.name} (virtual)`,
      latitude: p.lat,
      longitude: p.lon,
      ...(type === 'physical' && p.accommodations.includes('wheelchair')
        ? { accessibility: [{ id: key('accessibility'), description: 'Wheelchair accessible' }] }
        : {}),
    },
  });
  const types =
    p.modality === 'both'
      ? (['physical', 'virtual'] as const)
      : p.modality === 'in_person'
        ? (['physical'] as const)
        : (['virtual'] as const);
  // A virtual-only provider still has a place (where they practise from, for distance): it is
  // written on the virtual location, which HSDS does not forbid.
  return {
    id: p.id,
    name: p.name,
    status: p.accepting ? 'active' : 'temporarily closed',
    ...(p.organization === null
      ? {}
      : {
          organization: {
            id: idFor(`organization:${p.organization}`),
            name: p.organization,
            description: p.organization,
          },
        }),
    service_at_locations: types.map(location),
    languages: p.languages.map((code) => ({
      id: key(`language:${code}`),
      code,
      name: languageNames.of(code) ?? code,
    })),
    attributes: [
      ...p.specialties.map((code) => term(idFor, 'specialty', code)),
      ...p.certifications.map((code) => term(idFor, 'certification', code)),
      ...p.accommodations.map((code) => term(idFor, 'accommodation', code)),
      ...(p.npi === null
        ? []
        : [
            {
              id: key('attribute:npi'),
              taxonomy_term_id: idFor('term:npi'),
              value: p.npi,
              taxonomy_term: {
                id: idFor('term:npi'),
                code: 'npi',
                name: 'National Provider Identifier',
                description: 'The NPI of the provider (value)',
                taxonomy: continuityTaxonomies.npi,
              },
            },
          ]),
    ],
    capacities: [
      {
        id: key('capacity'),
        unit: {
          id: idFor('unit:new_patients_per_week'),
          name: 'New patients per week',
          scheme: 'Continuity',
          identifier: 'new_patients_per_week',
        },
        available: p.weeklyCapacity,
        ...(p.capacityConfirmedAt ? { updated: p.capacityConfirmedAt.toISOString() } : {}),
      },
    ],
  };
}

/** The directory as one HSDS page of services, indented for people to read. */
export function writeDirectoryHsds(providers: readonly OutsideProvider[], idFor: IdFor): string {
  const contents = providers.map((p) => serviceOf(p, idFor));
  const page = {
    total_items: contents.length,
    total_pages: 1,
    page_number: 1,
    size: contents.length,
    first_page: true,
    last_page: true,
    empty: contents.length === 0,
    contents,
  };
  return `${JSON.stringify(page, null, 2)}\n`;
}
