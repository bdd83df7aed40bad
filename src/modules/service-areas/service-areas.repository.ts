import type { Db, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { updateVersioned } from '../../db/versioned.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../../shared/page.ts';
import type {
  NewServiceArea,
  ServiceArea,
  ServiceAreaFilter,
  ServiceAreaPatch,
} from './service-areas.domain.ts';

export function toServiceArea(row: Row<'service_area'>): ServiceArea {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    lat: row.lat,
    lon: row.lon,
    members: row.members,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertServiceArea(db: Db, area: NewServiceArea): Promise<ServiceArea> {
  const row = await withDbErrors(() =>
    db
      .insertInto('service_area')
      .values({ id: uuidv7(), ...area })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toServiceArea(row);
}

export async function findServiceArea(db: Db, id: string): Promise<ServiceArea | undefined> {
  const row = await db
    .selectFrom('service_area')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toServiceArea(row);
}

export async function listServiceAreas(
  db: Db,
  filter: ServiceAreaFilter,
  page: PageRequest,
): Promise<Page<ServiceArea>> {
  let query = db
    .selectFrom('service_area')
    .selectAll()
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor));
  if (filter.code) query = query.where('code', '=', filter.code);
  return toPage(await query.execute(), page.limit, toServiceArea);
}

export async function updateServiceArea(
  db: Db,
  id: string,
  version: number,
  patch: ServiceAreaPatch,
): Promise<ServiceArea> {
  return toServiceArea(await updateVersioned(db, 'service_area', id, version, patch));
}
