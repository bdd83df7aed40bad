import { AppError } from '../../shared/errors.ts';

export const enrollmentStatuses = ['active', 'waitlisted', 'paused', 'ended'] as const;
export type EnrollmentStatus = (typeof enrollmentStatuses)[number];

/** A new enrollment either takes a seat or waits for one. */
export const initialEnrollmentStatuses = ['active', 'waitlisted'] as const;
export type InitialEnrollmentStatus = (typeof initialEnrollmentStatuses)[number];

/** A patient's place in a therapy group. Carries ids only: never the patient's name. */
export interface Enrollment {
  id: string;
  patientId: string;
  groupId: string;
  status: EnrollmentStatus;
  startsOn: string;
  /** Set exactly when the status is ended. */
  endsOn: string | null;
  endReason: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewEnrollment {
  patientId: string;
  groupId: string;
  status: InitialEnrollmentStatus;
  startsOn: string;
}

export interface EnrollmentPatch {
  status?: EnrollmentStatus | undefined;
  endsOn?: string | undefined;
  endReason?: string | null | undefined;
}

/** The columns a patch resolves to. */
export interface EnrollmentChange {
  status: EnrollmentStatus;
  endsOn: string | null;
  endReason: string | null;
}

export interface EnrollmentFilter {
  patientId?: string | undefined;
  groupId?: string | undefined;
  status?: EnrollmentStatus | undefined;
}

/** What seat-keeping needs to know of a group, read under its row lock. */
export interface GroupSeats {
  id: string;
  capacity: number;
  status: string;
  /** Active enrollments: exact while the row is locked. */
  seatsTaken: number;
}

function invalid(field: string, problem: string): AppError {
  return new AppError('VALIDATION_FAILED', `Invalid ${field}: ${problem}`, {
    issues: [{ field, problem }],
  });
}

/** Whether going from `from` (undefined: a new enrollment) to `to` takes a seat. */
export function takesSeat(from: EnrollmentStatus | undefined, to: EnrollmentStatus): boolean {
  return to === 'active' && from !== 'active';
}

/** Refuses anything but an active group: a paused or ended group takes no one (CONFLICT). */
export function assertGroupTakesPatients(group: GroupSeats): void {
  if (group.status !== 'active')
    throw new AppError('CONFLICT', `The group is ${group.status}; it takes no enrollments.`, {
      groupId: group.id,
      status: group.status,
    });
}

/**
 * Refuses a seat when the group's active enrollments already fill its capacity (GROUP_FULL).
 * `enrolled` must be counted under the group's row lock.
 */
export function assertSeatAvailable(group: GroupSeats): void {
  const enrolled = group.seatsTaken;
  if (enrolled >= group.capacity)
    throw new AppError('GROUP_FULL', 'The group has no open seat; waitlist the patient instead.', {
      groupId: group.id,
      capacity: group.capacity,
      enrolled,
    });
}

/**
 * Resolves a patch against the current enrollment. Ending requires an end date, which defaults
 * to `today` (or to the start date, for an enrollment ended before it began); any other status
 * clears it, as the table's CHECK demands. An ended enrollment is final: a returning patient is
 * enrolled anew, so the history stays. Throws INVALID_TRANSITION or VALIDATION_FAILED.
 */
export function resolveEnrollmentPatch(
  current: Pick<Enrollment, 'status' | 'startsOn' | 'endsOn' | 'endReason'>,
  patch: EnrollmentPatch,
  today: string,
): EnrollmentChange {
  const status = patch.status ?? current.status;
  if (current.status === 'ended' && status !== 'ended')
    throw new AppError(
      'INVALID_TRANSITION',
      'An ended enrollment cannot be reopened; enroll anew.',
      {
        from: current.status,
        to: status,
      },
    );
  if (status !== 'ended') {
    if (patch.endsOn !== undefined)
      throw invalid('body.endsOn', 'is set only when the status becomes ended');
    if (patch.endReason !== undefined && patch.endReason !== null)
      throw invalid('body.endReason', 'is set only when the status becomes ended');
    return { status, endsOn: null, endReason: null };
  }
  const endsOn =
    patch.endsOn ?? current.endsOn ?? (today < current.startsOn ? current.startsOn : today);
  if (endsOn < current.startsOn)
    throw invalid('body.endsOn', `must be on or after startsOn (${current.startsOn})`);
  const endReason = patch.endReason === undefined ? current.endReason : patch.endReason;
  return { status, endsOn, endReason };
}
