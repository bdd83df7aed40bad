import { sameColumns } from '../../db/versioned.ts';
import type { Db } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { notFound } from '../../shared/errors.ts';
import { type AppointmentImport, type SessionImport } from './map-appointment-import.domain.ts';
import { inTransaction } from './care.repository.ts';
import type { WriteOutcome } from './sources.ts';

/* Writes of an Appointment import: a group session with its attendance, or an individual appointment. */

/**
 * Writes an imported session: creates it with `id` or updates what differs, then its attendance
 * (only the participants that carry it; attendance not named is left as it is). A disruption is
 * kept only when it exists here. Throws UNKNOWN_REFERENCE (group, patient) and DUPLICATE (another
 * session of the group at the same start).
 */
export async function writeSession(
  db: Db,
  id: string,
  exists: boolean,
  value: SessionImport,
): Promise<{ outcome: WriteOutcome; patientIds: string[] }> {
  return inTransaction(db, async (trx) => {
    const disruption = value.disruptionId
      ? await trx
          .selectFrom('disruption')
          .select('id')
          .where('id', '=', value.disruptionId)
          .executeTakeFirst()
      : undefined;
    const columns = {
      group_id: value.groupId,
      starts_at: value.startsAt,
      ends_at: value.endsAt,
      status: value.status,
      cancel_reason: value.cancelReason,
      disruption_id: disruption?.id ?? null,
    };
    let outcome: WriteOutcome = 'unchanged';
    if (!exists) {
      await withDbErrors(() =>
        trx
          .insertInto('group_session')
          .values({ ...columns, id })
          .execute(),
      );
      outcome = 'created';
    } else {
      const current = await trx
        .selectFrom('group_session')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!current) throw notFound('session', id);
      if (!sameColumns(current, columns)) {
        await withDbErrors(() =>
          trx.updateTable('group_session').set(columns).where('id', '=', id).execute(),
        );
        outcome = 'updated';
      }
    }
    const have = new Map(
      (
        await trx
          .selectFrom('attendance')
          .select(['patient_id', 'status'])
          .where('session_id', '=', id)
          .execute()
      ).map((a) => [a.patient_id, a.status]),
    );
    for (const a of value.attendance) {
      const status = have.get(a.patientId);
      if (status === a.status) continue;
      await withDbErrors(async () => {
        if (status === undefined)
          await trx
            .insertInto('attendance')
            .values({ session_id: id, patient_id: a.patientId, status: a.status })
            .execute();
        else
          await trx
            .updateTable('attendance')
            .set({ status: a.status })
            .where('session_id', '=', id)
            .where('patient_id', '=', a.patientId)
            .execute();
      });
      if (outcome === 'unchanged') outcome = 'updated';
    }
    return { outcome, patientIds: value.attendance.map((a) => a.patientId) };
  });
}

/**
 * Writes an imported individual appointment: creates it with `id` or updates what differs.
 * Throws UNKNOWN_REFERENCE (patient, clinician, provider, session) and CONSTRAINT_VIOLATED (an
 * offer before the request).
 */
export async function writeAppointment(
  db: Db,
  id: string,
  exists: boolean,
  value: AppointmentImport,
): Promise<{ outcome: WriteOutcome; patientIds: string[] }> {
  return inTransaction(db, async (trx) => {
    const columns = {
      patient_id: value.patientId,
      clinician_id: value.clinicianId,
      provider_id: value.providerId,
      session_id: value.sessionId,
      kind: value.appointmentKind,
      urgency: value.urgency,
      prior_authorization: value.priorAuthorization,
      requested_at: value.requestedAt,
      first_offered_at: value.firstOfferedAt,
      starts_at: value.startsAt,
      status: value.status,
      cancelled_by: value.cancelledBy,
      interval_override_note: value.intervalOverrideNote,
    };
    let outcome: WriteOutcome = 'unchanged';
    if (!exists) {
      await withDbErrors(() =>
        trx
          .insertInto('appointment')
          .values({ ...columns, id })
          .execute(),
      );
      outcome = 'created';
    } else {
      const current = await trx
        .selectFrom('appointment')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!current) throw notFound('appointment', id);
      if (!sameColumns(current, columns)) {
        await withDbErrors(() =>
          trx.updateTable('appointment').set(columns).where('id', '=', id).execute(),
        );
        outcome = 'updated';
      }
    }
    return { outcome, patientIds: [value.patientId] };
  });
}
