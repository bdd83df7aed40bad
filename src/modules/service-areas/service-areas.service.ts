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

export function createServiceAreaService({ db }: ServiceDeps) {
  return {
    /** Creates a service area. Throws DUPLICATE when the code is taken. */
    create: (input: NewServiceArea): Promise<ServiceArea> => insertServiceArea(db, input),

    /** Throws NOT_FOUND for an unknown id. */
    async get(id: string): Promise<ServiceArea> {
      const area = await findServiceArea(db, id);
      if (!area) throw notFound('service area', id);
      return area;
    },

    list: (filter: ServiceAreaFilter, page: PageRequest): Promise<Page<ServiceArea>> =>
      listServiceAreas(db, filter, page),

    /** Throws NOT_FOUND, VERSION_CONFLICT (stale version) or DUPLICATE (code taken). */
    update: (id: string, version: number, patch: ServiceAreaPatch): Promise<ServiceArea> =>
      updateServiceArea(db, id, version, patch),
  };
}
