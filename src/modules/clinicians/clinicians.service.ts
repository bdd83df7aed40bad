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

export function createClinicianService({ db }: ServiceDeps) {
  return {
    /**
     * Creates a clinician. Throws DUPLICATE when the NPI is taken and UNKNOWN_REFERENCE when the
     * location does not exist.
     */
    create: (input: NewClinician): Promise<Clinician> => insertClinician(db, input),

    /** Throws NOT_FOUND for an unknown id. */
    async get(id: string): Promise<Clinician> {
      const clinician = await findClinician(db, id);
      if (!clinician) throw notFound('clinician', id);
      return clinician;
    },

    /** Lists clinicians in id order that meet every criterion of the filter. */
    list: (filter: ClinicianFilter, page: PageRequest): Promise<Page<Clinician>> =>
      listClinicians(db, filter, page),

    /**
     * Throws NOT_FOUND, VERSION_CONFLICT (stale version), DUPLICATE (NPI taken) or
     * UNKNOWN_REFERENCE (location).
     */
    update: (id: string, version: number, patch: ClinicianPatch): Promise<Clinician> =>
      updateClinician(db, id, version, patch),
  };
}
