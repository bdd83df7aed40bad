import type { ServiceDeps } from '../../context.ts';
import { localDateOf } from '../../shared/clock.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import {
  birthDateProblem,
  recentDischargeWindow,
  type NewPatient,
  type Patient,
  type PatientFilter,
  type PatientPatch,
} from './patients.domain.ts';
import { findPatient, insertPatient, listPatients, updatePatient } from './patients.repository.ts';

export type PatientService = ReturnType<typeof createPatientService>;

export function createPatientService({ db, clock, config }: ServiceDeps) {
  /** Refuses a birth date after today in the organization's time zone; names the field only. */
  function checkBirthDate(birthDate: string | undefined): void {
    if (birthDate === undefined) return;
    const problem = birthDateProblem(birthDate, localDateOf(clock.now(), config.TZ_ORG));
    if (problem) {
      throw new AppError('VALIDATION_FAILED', `Invalid body.birthDate: ${problem}`, {
        issues: [{ field: 'body.birthDate', problem }],
      });
    }
  }

  return {
    /**
     * Creates a patient. Throws VALIDATION_FAILED (birth date in the future), DUPLICATE (MRN
     * taken) or UNKNOWN_REFERENCE (service area). No error repeats the patient's data.
     */
    async create(input: NewPatient): Promise<Patient> {
      checkBirthDate(input.birthDate);
      return insertPatient(db, input);
    },

    /** Throws NOT_FOUND for an unknown id. */
    async get(id: string): Promise<Patient> {
      const patient = await findPatient(db, id);
      if (!patient) throw notFound('patient', id);
      return patient;
    },

    /** Lists patients in id order that meet every criterion; "recent" is judged at the clock's now. */
    list: (filter: PatientFilter, page: PageRequest): Promise<Page<Patient>> =>
      listPatients(db, filter, page, recentDischargeWindow(clock.now())),

    /**
     * Throws VALIDATION_FAILED (birth date in the future), NOT_FOUND, VERSION_CONFLICT (stale
     * version), DUPLICATE (MRN taken) or UNKNOWN_REFERENCE (service area).
     */
    async update(id: string, version: number, patch: PatientPatch): Promise<Patient> {
      checkBirthDate(patch.birthDate);
      return updatePatient(db, id, version, patch);
    },
  };
}
