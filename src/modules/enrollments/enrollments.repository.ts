import type { Db, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { updateVersioned } from '../../db/versioned.ts';
import { AppError, isAppError } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../../shared/page.ts';
import type {
  Enrollment,
  EnrollmentChange,
  EnrollmentFilter,
  EnrollmentStatus,
  GroupSeats,
  NewEnrollment,
} from './enrollments.domain.ts';

// The CHECK on enrollment.status holds it to the domain's union.
function toEnrollment(row: Row<'enrollment'>): Enrollment {
  return {
    id: row.id,
    patientId: row.patient_id,
    groupId: row.group_id,
    status: row.status as EnrollmentStatus,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    endReason: row.end_reason,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The partial unique index that allows one open (non-ended) enrollment per patient and group. */
const openEnrollmentIndex = 'enrollment_open_unique';

function alreadyEnrolled(patientId: string, groupId: string): AppError {
  return new AppError('ALREADY_ENROLLED', 'The patient is already enrolled in this group.', {
    patientId,
    groupId,
  });
}

/** Maps the open-enrollment unique violation to ALREADY_ENROLLED; other errors pass through. */
async function withEnrollmentErrors<T>(
  patientId: string,
  groupId: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await withDbErrors(work);
  } catch (error) {
    if (
      isAppError(error) &&
      error.code === 'DUPLICATE' &&
      !Array.isArray(error.details) &&
      (error.details as Record<string, unknown> | undefined)?.constraint === openEnrollmentIndex
    )
      throw alreadyEnrolled(patientId, groupId);
    throw error;
  }
}

/**
 * Locks the group's row until the transaction ends (`select … for update`), so that everyone who
 * wants a seat in it counts and inserts one after another: the count below cannot go stale.
 */
export async function lockGroupSeats(db: Db, groupId: string): Promise<GroupSeats | undefined> {
  return db
    .selectFrom('therapy_group')
    .select(['id', 'capacity', 'status', 'seats_taken as seatsTaken'])
    .where('id', '=', groupId)
    .forUpdate()
    .executeTakeFirst();
}

/** Whether the clinician is among the group's facilitators (in any facilitator role). */
export async function isFacilitator(
  db: Db,
  groupId: string,
  clinicianId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('group_facilitator')
    .select('group_id')
    .where('group_id', '=', groupId)
    .where('clinician_id', '=', clinicianId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Throws ALREADY_ENROLLED (an open enrollment exists) or UNKNOWN_REFERENCE (patient, group). */
export async function insertEnrollment(db: Db, input: NewEnrollment): Promise<Enrollment> {
  const row = await withEnrollmentErrors(input.patientId, input.groupId, () =>
    db
      .insertInto('enrollment')
      .values({
        id: uuidv7(),
        patient_id: input.patientId,
        group_id: input.groupId,
        status: input.status,
        starts_on: input.startsOn,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toEnrollment(row);
}

export async function findEnrollment(db: Db, id: string): Promise<Enrollment | undefined> {
  const row = await db.selectFrom('enrollment').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toEnrollment(row);
}

export async function listEnrollments(
  db: Db,
  filter: EnrollmentFilter,
  page: PageRequest,
): Promise<Page<Enrollment>> {
  let query = db
    .selectFrom('enrollment')
    .selectAll()
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor));
  if (filter.patientId) query = query.where('patient_id', '=', filter.patientId);
  if (filter.groupId) query = query.where('group_id', '=', filter.groupId);
  if (filter.status) query = query.where('status', '=', filter.status);
  return toPage(await query.execute(), page.limit, toEnrollment);
}

/** Throws NOT_FOUND or VERSION_CONFLICT. */
export async function updateEnrollment(
  db: Db,
  current: Pick<Enrollment, 'id' | 'patientId' | 'groupId'>,
  version: number,
  change: EnrollmentChange,
): Promise<Enrollment> {
  const row = await withEnrollmentErrors(current.patientId, current.groupId, () =>
    updateVersioned(db, 'enrollment', current.id, version, {
      status: change.status,
      ends_on: change.endsOn,
      end_reason: change.endReason,
    }),
  );
  return toEnrollment(row);
}
