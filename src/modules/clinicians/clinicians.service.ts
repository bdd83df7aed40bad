import type { ServiceDeps } from '../../context.ts';
import { notFound } from '../../shared/errors.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import type {
  Clinician,
  ClinicianFilter,
  ClinicianPatch,
  NewClinician,
} from './clinicians.domain.ts';
import {
  findClinician,
  insertClinician,
  listClinicians,
  updateClinician,
} from './clinicians.repository.ts';

export type ClinicianService = ReturnType<typeof createClinicianService>;

/**
 * Clinicians (catalogue, not patient data): reading needs catalogue:read, writing
 * catalogue:write. Every method throws UNAUTHENTICATED or FORBIDDEN when the actor lacks it.
 */
export function createClinicianService({ db, access }: ServiceDeps) {
  return {
    /**
     * Creates a clinician. Throws DUPLICATE when the NPI is taken and UNKNOWN_REFERENCE when the
     * location does not exist.
     */
    async create(input: NewClinician): Promise<Clinician> {
      await access.require('catalogue:write');
      return insertClinician(db, input);
    },

    /** Throws NOT_FOUND for an unknown id. */
    async get(id: string): Promise<Clinician> {
      await access.require('catalogue:read');
      const clinician = await findClinician(db, id);
      if (!clinician) throw notFound('clinician', id);
      return clinician;
    },

    /** Lists clinicians in id order that meet every criterion of the filter. */
    async list(filter: ClinicianFilter, page: PageRequest): Promise<Page<Clinician>> {
      await access.require('catalogue:read');
      return listClinicians(db, filter, page);
    },

    /**
     * Throws NOT_FOUND, VERSION_CONFLICT (stale version), DUPLICATE (NPI taken) or
     * UNKNOWN_REFERENCE (location).
     */
    async update(id: string, version: number, patch: ClinicianPatch): Promise<Clinician> {
      await access.require('catalogue:write');
      return updateClinician(db, id, version, patch);
    },
  };
}
