import type { ServiceDeps } from '../../context.ts';
import { notFound } from '../../shared/errors.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import type { Location, LocationFilter, LocationPatch, NewLocation } from './locations.domain.ts';
import {
  findLocation,
  insertLocation,
  listLocations,
  updateLocation,
} from './locations.repository.ts';

export type LocationService = ReturnType<typeof createLocationService>;

export function createLocationService({ db }: ServiceDeps) {
  return {
    /** Creates a location. Throws UNKNOWN_REFERENCE when the service area does not exist. */
    create: (input: NewLocation): Promise<Location> => insertLocation(db, input),

    /** Throws NOT_FOUND for an unknown id. */
    async get(id: string): Promise<Location> {
      const location = await findLocation(db, id);
      if (!location) throw notFound('location', id);
      return location;
    },

    /** Lists locations in id order, optionally those of one service area. */
    list: (filter: LocationFilter, page: PageRequest): Promise<Page<Location>> =>
      listLocations(db, filter, page),

    /** Throws NOT_FOUND, VERSION_CONFLICT (stale version) or UNKNOWN_REFERENCE (service area). */
    update: (id: string, version: number, patch: LocationPatch): Promise<Location> =>
      updateLocation(db, id, version, patch),
  };
}
