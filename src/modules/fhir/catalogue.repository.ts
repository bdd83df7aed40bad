import { toServiceArea } from '../service-areas/service-areas.repository.ts';
import { toLocation } from '../locations/locations.repository.ts';
import { toClinician } from '../clinicians/clinicians.repository.ts';
import { toOutsideProvider } from '../outside-providers/outside-providers.repository.ts';
import { sql, type SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import { codeSystem, systems, type ServedType } from './fhir.domain.ts';
import type { ExternalId } from './map.domain.ts';
import { valuesOf, type ParsedSearch, type TokenValue } from './search.domain.ts';
import {
  all,
  any,
  codeArrayCondition,
  col,
  commonConditions,
  each,
  externalIdentifiers,
  referenceCondition,
  stringCondition,
  type Column,
  type Condition,
} from './search.repository.ts';

/*
 * The catalogue as FHIR reads and writes it: one page of service areas, locations, clinicians or
 * outside providers for a search, and the writes of an import, which change a row only where a
 * column differs (so importing the same resource twice changes nothing, not even the version).
 */

const bcp47 = 'urn:ietf:bcp:47';

/** A string search on a name or an address: the start of any of its words. */
function wordCondition(column: Column, value: string, exact: boolean): Condition {
  if (exact) return stringCondition(column, value, true);
  const pattern = `% ${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return any([stringCondition(column, value, false), sql<SqlBool>`${column} ilike ${pattern}`]);
}

/** `active` as a token: true or false. */
function booleanOf(token: TokenValue): boolean | undefined {
  if (token.system !== undefined && token.system !== null) return undefined;
  return token.code === 'true' ? true : token.code === 'false' ? false : undefined;
}

async function withExternal<R extends { id: string }, T>(
  db: Db,
  type: ServedType,
  rows: readonly R[],
  map: (row: R, external: ExternalId[]) => T,
): Promise<T[]> {
  const external = await externalIdentifiers(
    db,
    type,
    rows.map((r) => r.id),
  );
  return rows.map((row) => map(row, external.get(row.id) ?? []));
}

// ---------------------------------------------------------------------------------------------
// Reads

export async function searchServiceAreas(db: Db, search: ParsedSearch) {
  const conditions = [
    ...commonConditions(search, {
      type: 'Organization',
      id: col('service_area.id'),
      key: col('service_area.id'),
      keyKind: 'uuid',
      updated: col('service_area.updated_at'),
      natural: [{ system: systems.serviceArea, column: col('service_area.code') }],
    }),
    ...each(valuesOf(search, 'name', 'string'), ({ value, exact }) =>
      wordCondition(col('service_area.name'), value, exact),
    ),
  ];
  const rows = await db
    .selectFrom('service_area')
    .selectAll()
    .where(all(conditions))
    .orderBy('service_area.id')
    .limit(search.count + 1)
    .execute();
  return withExternal(db, 'Organization', rows, (row, external) => ({
    area: toServiceArea(row),
    external,
  }));
}

export async function searchLocations(db: Db, search: ParsedSearch) {
  const conditions = [
    ...commonConditions(search, {
      type: 'Location',
      id: col('location.id'),
      key: col('location.id'),
      keyKind: 'uuid',
      updated: col('location.updated_at'),
    }),
    ...each(valuesOf(search, 'name', 'string'), ({ value, exact }) =>
      wordCondition(col('location.name'), value, exact),
    ),
    ...each(valuesOf(search, 'address', 'string'), ({ value, exact }) =>
      wordCondition(col('location.address'), value, exact),
    ),
    ...each(valuesOf(search, 'organization', 'reference'), (ref) =>
      referenceCondition(col('location.service_area_id'), ['Organization'], ref),
    ),
  ];
  const rows = await db
    .selectFrom('location')
    .selectAll()
    .where(all(conditions))
    .orderBy('location.id')
    .limit(search.count + 1)
    .execute();
  return withExternal(db, 'Location', rows, (row, external) => ({
    location: toLocation(row),
    external,
  }));
}

/**
 * One page of clinicians, as Practitioners (`type` Practitioner) or as their roles: the two
 * share ids, and each has its own parameters and its own kept identifiers.
 */
export async function searchClinicians(
  db: Db,
  search: ParsedSearch,
  type: 'Practitioner' | 'PractitionerRole',
) {
  const status = col('clinician.status');
  const conditions = [
    ...commonConditions(search, {
      type,
      id: col('clinician.id'),
      key: col('clinician.id'),
      keyKind: 'uuid',
      updated: col('clinician.updated_at'),
      natural: [{ system: systems.npi, column: col('clinician.npi') }],
    }),
    ...each(valuesOf(search, 'name', 'string'), ({ value, exact }) =>
      wordCondition(col('clinician.name'), value, exact),
    ),
    ...each(valuesOf(search, 'communication', 'token'), (token) =>
      codeArrayCondition(col('clinician.languages'), bcp47, token),
    ),
    // A Practitioner is active unless the clinician left; a role only while they work.
    ...each(valuesOf(search, 'active', 'token'), (token) => {
      const wanted = booleanOf(token);
      if (wanted === undefined) return sql<SqlBool>`false`;
      const active =
        type === 'Practitioner'
          ? sql<SqlBool>`${status} <> 'inactive'`
          : sql<SqlBool>`${status} = 'active'`;
      return wanted ? active : sql<SqlBool>`not ${active}`;
    }),
    ...each(valuesOf(search, 'practitioner', 'reference'), (ref) =>
      referenceCondition(col('clinician.id'), ['Practitioner'], ref),
    ),
    ...each(valuesOf(search, 'location', 'reference'), (ref) =>
      referenceCondition(col('clinician.location_id'), ['Location'], ref),
    ),
    ...each(valuesOf(search, 'organization', 'reference'), (ref) =>
      referenceCondition(col('location.service_area_id'), ['Organization'], ref),
    ),
    ...each(valuesOf(search, 'specialty', 'token'), (token) =>
      codeArrayCondition(col('clinician.specialties'), codeSystem('specialty'), token),
    ),
  ];
  const rows = await db
    .selectFrom('clinician')
    .innerJoin('location', 'location.id', 'clinician.location_id')
    .selectAll('clinician')
    .select('location.service_area_id')
    .where(all(conditions))
    .orderBy('clinician.id')
    .limit(search.count + 1)
    .execute();
  return withExternal(db, type, rows, (row, external) => ({
    clinician: toClinician(row),
    serviceAreaId: row.service_area_id,
    external,
  }));
}

/** A characteristic token: an accommodation, a certification or a modality, by its system. */
function characteristicCondition(token: TokenValue): Condition {
  const options: Condition[] = [];
  const fits = (vocabulary: string) =>
    token.system === undefined || token.system === codeSystem(vocabulary);
  if (fits('accommodation'))
    options.push(
      codeArrayCondition(col('outside_provider.accommodations'), codeSystem('accommodation'), {
        ...token,
        system: undefined,
      }),
    );
  if (fits('certification'))
    options.push(
      codeArrayCondition(col('outside_provider.certifications'), codeSystem('certification'), {
        ...token,
        system: undefined,
      }),
    );
  // A provider seeing patients both ways is emitted with both modalities.
  if (fits('modality') && (token.code === 'in_person' || token.code === 'virtual'))
    options.push(sql<SqlBool>`outside_provider.modality in (${token.code}, 'both')`);
  return any(options);
}

export async function searchOutsideProviders(db: Db, search: ParsedSearch) {
  const conditions = [
    ...commonConditions(search, {
      type: 'HealthcareService',
      id: col('outside_provider.id'),
      key: col('outside_provider.id'),
      keyKind: 'uuid',
      updated: col('outside_provider.updated_at'),
      natural: [{ system: systems.npi, column: col('outside_provider.npi') }],
    }),
    ...each(valuesOf(search, 'name', 'string'), ({ value, exact }) =>
      wordCondition(col('outside_provider.name'), value, exact),
    ),
    ...each(valuesOf(search, 'specialty', 'token'), (token) =>
      codeArrayCondition(col('outside_provider.specialties'), codeSystem('specialty'), token),
    ),
    ...each(valuesOf(search, 'characteristic', 'token'), characteristicCondition),
    // Every outside provider in the directory is an active service.
    ...each(valuesOf(search, 'active', 'token'), (token) =>
      booleanOf(token) === true ? sql<SqlBool>`true` : sql<SqlBool>`false`,
    ),
  ];
  const rows = await db
    .selectFrom('outside_provider')
    .selectAll()
    .where(all(conditions))
    .orderBy('outside_provider.id')
    .limit(search.count + 1)
    .execute();
  return withExternal(db, 'HealthcareService', rows, (row, external) => ({
    provider: toOutsideProvider(row),
    external,
  }));
}

// ---------------------------------------------------------------------------------------------
// Writes

/** Whether a clinician holds this id. */
export async function clinicianExists(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom('clinician').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}
