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
import { createDirectoryService } from './directory.service.ts';

export type OutsideProviderService = ReturnType<typeof createOutsideProviderService>;

/**
 * The outside-provider directory (catalogue, not patient data): reading needs catalogue:read,
 * writing catalogue:write. Every method throws UNAUTHENTICATED or FORBIDDEN when the actor lacks it.
 * Import and export of the whole directory are in directory.service.ts.
 */
export function createOutsideProviderService(deps: ServiceDeps) {
  const { db, access } = deps;
  return {
    ...createDirectoryService(deps),

    /** Adds a provider to the directory. Throws DUPLICATE when the NPI is taken. */
    async create(input: NewOutsideProvider): Promise<OutsideProvider> {
      await access.require('catalogue:write');
      return insertOutsideProvider(db, input);
    },

    /** Throws NOT_FOUND for an unknown id. */
    async get(id: string): Promise<OutsideProvider> {
      await access.require('catalogue:read');
      const provider = await findOutsideProvider(db, id);
      if (!provider) throw notFound('outside provider', id);
      return provider;
    },

    /** Lists providers in id order that meet every criterion of the filter. */
    async list(filter: OutsideProviderFilter, page: PageRequest): Promise<Page<OutsideProvider>> {
      await access.require('catalogue:read');
      return listOutsideProviders(db, filter, page);
    },

    /** Throws NOT_FOUND, VERSION_CONFLICT (stale version) or DUPLICATE (NPI taken). */
    async update(
      id: string,
      version: number,
      patch: OutsideProviderPatch,
    ): Promise<OutsideProvider> {
      await access.require('catalogue:write');
      return updateOutsideProvider(db, id, version, patch);
    },
  };
}
