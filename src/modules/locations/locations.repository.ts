import type { Db, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { updateVersioned } from '../../db/versioned.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../../shared/page.ts';
import type { Location, LocationFilter, LocationPatch, NewLocation } from './locations.domain.ts';

export function toLocation(row: Row<'location'>): Location {
  return {
    id: row.id,
    serviceAreaId: row.service_area_id,
    name: row.name,
    address: row.address,
    lat: row.lat,
    lon: row.lon,
    accessible: row.accessible,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Column values for a patch; Kysely leaves out the undefined ones. */
function toPatchColumns(location: LocationPatch) {
  return {
    service_area_id: location.serviceAreaId,
    name: location.name,
    address: location.address,
    lat: location.lat,
    lon: location.lon,
    accessible: location.accessible,
  };
}

export async function insertLocation(db: Db, location: NewLocation): Promise<Location> {
  const row = await withDbErrors(() =>
    db
      .insertInto('location')
      .values({
        id: uuidv7(),
        service_area_id: location.serviceAreaId,
        name: location.name,
        address: location.address,
        lat: location.lat,
        lon: location.lon,
        accessible: location.accessible,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toLocation(row);
}

export async function findLocation(db: Db, id: string): Promise<Location | undefined> {
  const row = await db.selectFrom('location').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toLocation(row);
}

export async function listLocations(
  db: Db,
  filter: LocationFilter,
  page: PageRequest,
): Promise<Page<Location>> {
  let query = db
    .selectFrom('location')
    .selectAll()
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor));
  if (filter.serviceAreaId) query = query.where('service_area_id', '=', filter.serviceAreaId);
  return toPage(await query.execute(), page.limit, toLocation);
}

export async function updateLocation(
  db: Db,
  id: string,
  version: number,
  patch: LocationPatch,
): Promise<Location> {
  return toLocation(await updateVersioned(db, 'location', id, version, toPatchColumns(patch)));
}
