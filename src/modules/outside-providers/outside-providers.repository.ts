import { sql } from 'kysely';
import { lockInSchema } from '../../db/advisory-lock.ts';
import type { Db, NewRow, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { updateVersioned } from '../../db/versioned.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../../shared/page.ts';
import type {
  Accommodation,
  Certification,
  ProviderModality,
  Specialty,
} from '../vocabulary/vocabulary.domain.ts';
import {
  modalitiesOffering,
  type NewOutsideProvider,
  type OutsideProvider,
  type OutsideProviderFilter,
  type OutsideProviderPatch,
} from './outside-providers.domain.ts';

// The CHECK constraints of the outside_provider table guarantee these narrowings.
export function toOutsideProvider(row: Row<'outside_provider'>): OutsideProvider {
  return {
    id: row.id,
    name: row.name,
    organization: row.organization,
    npi: row.npi,
    specialties: row.specialties as Specialty[],
    languages: row.languages,
    certifications: row.certifications as Certification[],
    modality: row.modality as ProviderModality,
    lat: row.lat,
    lon: row.lon,
    accommodations: row.accommodations as Accommodation[],
    weeklyCapacity: row.weekly_capacity,
    accepting: row.accepting,
    capacityConfirmedAt: row.capacity_confirmed_at,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** `array[value]::text[]`: the right-hand side of an array containment test (`@>`). */
function one(value: string) {
  return sql<string[]>`array[${value}]::text[]`;
}

/** A new provider as its row, with a fresh id. */
function newRow(provider: NewOutsideProvider): NewRow<'outside_provider'> {
  return {
    id: uuidv7(),
    name: provider.name,
    organization: provider.organization,
    npi: provider.npi,
    specialties: provider.specialties,
    languages: provider.languages,
    certifications: provider.certifications,
    modality: provider.modality,
    lat: provider.lat,
    lon: provider.lon,
    accommodations: provider.accommodations,
    weekly_capacity: provider.weeklyCapacity,
    accepting: provider.accepting,
    capacity_confirmed_at: provider.capacityConfirmedAt,
  };
}

export async function insertOutsideProvider(
  db: Db,
  provider: NewOutsideProvider,
): Promise<OutsideProvider> {
  const row = await withDbErrors(() =>
    db
      .insertInto('outside_provider')
      .values(newRow(provider))
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toOutsideProvider(row);
}

export async function findOutsideProvider(
  db: Db,
  id: string,
): Promise<OutsideProvider | undefined> {
  const row = await db
    .selectFrom('outside_provider')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toOutsideProvider(row);
}

export async function listOutsideProviders(
  db: Db,
  filter: OutsideProviderFilter,
  page: PageRequest,
): Promise<Page<OutsideProvider>> {
  let query = db
    .selectFrom('outside_provider')
    .selectAll()
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor));
  if (filter.specialty) query = query.where('specialties', '@>', one(filter.specialty));
  if (filter.language) query = query.where('languages', '@>', one(filter.language));
  if (filter.certification) query = query.where('certifications', '@>', one(filter.certification));
  if (filter.accommodation) query = query.where('accommodations', '@>', one(filter.accommodation));
  if (filter.modality) query = query.where('modality', 'in', modalitiesOffering(filter.modality));
  if (filter.accepting !== undefined) query = query.where('accepting', '=', filter.accepting);
  return toPage(await query.execute(), page.limit, toOutsideProvider);
}

export async function updateOutsideProvider(
  db: Db,
  id: string,
  version: number,
  patch: OutsideProviderPatch,
): Promise<OutsideProvider> {
  const row = await updateVersioned(db, 'outside_provider', id, version, {
    name: patch.name,
    organization: patch.organization,
    npi: patch.npi,
    specialties: patch.specialties,
    languages: patch.languages,
    certifications: patch.certifications,
    modality: patch.modality,
    lat: patch.lat,
    lon: patch.lon,
    accommodations: patch.accommodations,
    weekly_capacity: patch.weeklyCapacity,
    accepting: patch.accepting,
    capacity_confirmed_at: patch.capacityConfirmedAt,
  });
  return toOutsideProvider(row);
}

/** The whole directory in id order, for an import to match against or an export to write. */
export async function listAllOutsideProviders(db: Db): Promise<OutsideProvider[]> {
  const rows = await db.selectFrom('outside_provider').selectAll().orderBy('id').execute();
  return rows.map(toOutsideProvider);
}

/** Adds many providers, a few hundred a statement. Throws DUPLICATE when an NPI is taken. */
export async function insertOutsideProviders(
  db: Db,
  providers: readonly NewOutsideProvider[],
): Promise<void> {
  for (let start = 0; start < providers.length; start += 500) {
    const chunk = providers.slice(start, start + 500);
    await withDbErrors(() => db.insertInto('outside_provider').values(chunk.map(newRow)).execute());
  }
}

/** A constant key for the advisory lock that lets one directory import run at a time. */
const directoryImportLockKey = 0x44495231;

/** Serializes directory imports until the transaction ends, so two never insert the same provider. */
export async function lockDirectoryImports(db: Db): Promise<void> {
  await lockInSchema(db, directoryImportLockKey);
}
