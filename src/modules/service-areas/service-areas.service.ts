import type { ServiceDeps } from '../../context.ts';
import { notFound } from '../../shared/errors.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import type {
  NewServiceArea,
  ServiceArea,
  ServiceAreaFilter,
  ServiceAreaPatch,
} from './service-areas.domain.ts';
import {
  findServiceArea,
  insertServiceArea,
  listServiceAreas,
  updateServiceArea,
} from './service-areas.repository.ts';

export type ServiceAreaService = ReturnType<typeof createServiceAreaService>;

/**
 * Service areas (catalogue, not patient data): reading needs catalogue:read, writing
 * catalogue:write. Every method throws UNAUTHENTICATED or FORBIDDEN when the actor lacks it.
 */
export function createServiceAreaService({ db, access }: ServiceDeps) {
  return {
    /** Creates a service area. Throws DUPLICATE when the code is taken. */
    async create(input: NewServiceArea): Promise<ServiceArea> {
      await access.require('catalogue:write');
      return insertServiceArea(db, input);
    },

    /** Throws NOT_FOUND for an unknown id. */
    async get(id: string): Promise<ServiceArea> {
      await access.require('catalogue:read');
      const area = await findServiceArea(db, id);
      if (!area) throw notFound('service area', id);
      return area;
    },

    async list(filter: ServiceAreaFilter, page: PageRequest): Promise<Page<ServiceArea>> {
      await access.require('catalogue:read');
      return listServiceAreas(db, filter, page);
    },

    /** Throws NOT_FOUND, VERSION_CONFLICT (stale version) or DUPLICATE (code taken). */
    async update(id: string, version: number, patch: ServiceAreaPatch): Promise<ServiceArea> {
      await access.require('catalogue:write');
      return updateServiceArea(db, id, version, patch);
    },
  };
}
