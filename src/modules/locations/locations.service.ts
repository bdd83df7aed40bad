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

/**
 * Locations (catalogue, not patient data): reading needs catalogue:read, writing catalogue:write.
 * Every method throws UNAUTHENTICATED or FORBIDDEN when the actor lacks it.
 */
export function createLocationService({ db, access }: ServiceDeps) {
  return {
    /** Creates a location. Throws UNKNOWN_REFERENCE when the service area does not exist. */
    async create(input: NewLocation): Promise<Location> {
      await access.require('catalogue:write');
      return insertLocation(db, input);
    },

    /** Throws NOT_FOUND for an unknown id. */
    async get(id: string): Promise<Location> {
      await access.require('catalogue:read');
      const location = await findLocation(db, id);
      if (!location) throw notFound('location', id);
      return location;
    },

    /** Lists locations in id order, optionally those of one service area. */
    async list(filter: LocationFilter, page: PageRequest): Promise<Page<Location>> {
      await access.require('catalogue:read');
      return listLocations(db, filter, page);
    },

    /** Throws NOT_FOUND, VERSION_CONFLICT (stale version) or UNKNOWN_REFERENCE (service area). */
    async update(id: string, version: number, patch: LocationPatch): Promise<Location> {
      await access.require('catalogue:write');
      return updateLocation(db, id, version, patch);
    },
  };
}
