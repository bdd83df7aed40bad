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
import { givenKeys, listed } from '../audit/access.service.ts';

export type PatientService = ReturnType<typeof createPatientService>;

/**
 * Patient records: reading needs patients:read, writing patients:write (UNAUTHENTICATED or
 * FORBIDDEN otherwise, and the refusal is audited as denied). Every patient read or written is
 * audited: reads after the fetch, one event per patient returned; writes in the write's own
 * transaction, so the event commits with the change or not at all. Audit details hold ids and
 * criteria names, never the patient's data.
 */
export function createPatientService({ db, clock, config, access }: ServiceDeps) {
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
      await access.require('patients:write', { action: 'patient.create', entity: 'patient' });
      checkBirthDate(input.birthDate);
      return db.transaction().execute(async (trx) => {
        const patient = await insertPatient(trx, input);
        await access.record(
          [
            {
              action: 'patient.create',
              entity: 'patient',
              entityId: patient.id,
              patientId: patient.id,
            },
          ],
          trx,
        );
        return patient;
      });
    },

    /** Throws NOT_FOUND for an unknown id. */
    async get(id: string): Promise<Patient> {
      const record = { action: 'patient.read', entity: 'patient', entityId: id, patientId: id };
      await access.require('patients:read', record);
      const patient = await findPatient(db, id);
      if (!patient) throw notFound('patient', id);
      await access.record([record]);
      return patient;
    },

    /** Lists patients in id order that meet every criterion; "recent" is judged at the clock's now. */
    async list(filter: PatientFilter, page: PageRequest): Promise<Page<Patient>> {
      const detail = { filters: givenKeys(filter) };
      await access.require('patients:read', { action: 'patient.list', entity: 'patient', detail });
      const result = await listPatients(db, filter, page, recentDischargeWindow(clock.now()));
      const shown = result.items.map((patient) => ({ id: patient.id, patientId: patient.id }));
      await access.record(listed('patient.list', 'patient', shown, detail));
      return result;
    },

    /**
     * Throws VALIDATION_FAILED (birth date in the future), NOT_FOUND, VERSION_CONFLICT (stale
     * version), DUPLICATE (MRN taken) or UNKNOWN_REFERENCE (service area).
     */
    async update(id: string, version: number, patch: PatientPatch): Promise<Patient> {
      const record = {
        action: 'patient.update',
        entity: 'patient',
        entityId: id,
        patientId: id,
        // Which fields changed, never their values.
        detail: { fields: givenKeys(patch) },
      };
      await access.require('patients:write', record);
      checkBirthDate(patch.birthDate);
      return db.transaction().execute(async (trx) => {
        const patient = await updatePatient(trx, id, version, patch);
        await access.record([record], trx);
        return patient;
      });
    },
  };
}
