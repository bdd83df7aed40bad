import type { ServiceDeps } from '../../context.ts';
import { notFound } from '../../shared/errors.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import type {
  NewOutsideProvider,
  OutsideProvider,
  OutsideProviderFilter,
  OutsideProviderPatch,
} from './outside-providers.domain.ts';
import {
  findOutsideProvider,
  insertOutsideProvider,
  listOutsideProviders,
  updateOutsideProvider,
} from './outside-providers.repository.ts';

export type OutsideProviderService = ReturnType<typeof createOutsideProviderService>;

export function createOutsideProviderService({ db }: ServiceDeps) {
  return {
    /** Adds a provider to the directory. Throws DUPLICATE when the NPI is taken. */
    create: (input: NewOutsideProvider): Promise<OutsideProvider> =>
      insertOutsideProvider(db, input),

    /** Throws NOT_FOUND for an unknown id. */
    async get(id: string): Promise<OutsideProvider> {
      const provider = await findOutsideProvider(db, id);
      if (!provider) throw notFound('outside provider', id);
      return provider;
    },

    /** Lists providers in id order that meet every criterion of the filter. */
    list: (filter: OutsideProviderFilter, page: PageRequest): Promise<Page<OutsideProvider>> =>
      listOutsideProviders(db, filter, page),

    /** Throws NOT_FOUND, VERSION_CONFLICT (stale version) or DUPLICATE (NPI taken). */
    update: (id: string, version: number, patch: OutsideProviderPatch): Promise<OutsideProvider> =>
      updateOutsideProvider(db, id, version, patch),
  };
}
