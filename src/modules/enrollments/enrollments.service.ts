import type { ServiceDeps } from '../../context.ts';
import type { Db } from '../../db/database.ts';
import { localDateOf } from '../../shared/clock.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import {
  assertGroupTakesPatients,
  assertSeatAvailable,
  resolveEnrollmentPatch,
  takesSeat,
  type Enrollment,
  type EnrollmentFilter,
  type EnrollmentPatch,
  type GroupSeats,
  type NewEnrollment,
} from './enrollments.domain.ts';
import {
  countActive,
  findEnrollment,
  insertEnrollment,
  listEnrollments,
  lockGroupSeats,
  updateEnrollment,
} from './enrollments.repository.ts';

export type EnrollmentService = ReturnType<typeof createEnrollmentService>;

/**
 * Locks the group's row until the transaction ends and refuses a group that is not active.
 * Everyone who wants a seat in the group passes here, so seat counts taken afterwards are exact.
 */
async function lockActiveGroup(trx: Db, groupId: string): Promise<GroupSeats> {
  const group = await lockGroupSeats(trx, groupId);
  if (!group)
    throw new AppError('UNKNOWN_REFERENCE', 'No group with that id.', {
      field: 'groupId',
      id: groupId,
    });
  assertGroupTakesPatients(group);
  return group;
}

export function createEnrollmentService({ db, clock, config }: ServiceDeps) {
  return {
    /**
     * Enrolls a patient in a group, as active (taking a seat) or waitlisted. The group's row is
     * locked while its seats are counted, so concurrent enrollments never over-fill it.
     * Throws UNKNOWN_REFERENCE (patient or group), CONFLICT (the group is not active),
     * ALREADY_ENROLLED (an open enrollment exists) and GROUP_FULL.
     */
    create(input: NewEnrollment): Promise<Enrollment> {
      return db.transaction().execute(async (trx) => {
        const group = await lockActiveGroup(trx, input.groupId);
        // The insert comes first so that the open-enrollment unique index, not a second query,
        // decides ALREADY_ENROLLED, and decides it before GROUP_FULL. A refused seat then rolls
        // the insert back with the transaction.
        const enrollment = await insertEnrollment(trx, input);
        if (takesSeat(undefined, input.status))
          assertSeatAvailable(group, (await countActive(trx, group.id)) - 1);
        return enrollment;
      });
    },

    /** Throws NOT_FOUND for an unknown id. */
    async get(id: string): Promise<Enrollment> {
      const enrollment = await findEnrollment(db, id);
      if (!enrollment) throw notFound('enrollment', id);
      return enrollment;
    },

    list: (filter: EnrollmentFilter, page: PageRequest): Promise<Page<Enrollment>> =>
      listEnrollments(db, filter, page),

    /**
     * Changes an enrollment at `version`. Ending sets endsOn (default: today in the organization
     * time zone); moving to active re-checks the group's seats under its row lock. Throws
     * NOT_FOUND, VERSION_CONFLICT, INVALID_TRANSITION, VALIDATION_FAILED, CONFLICT, GROUP_FULL.
     */
    update(id: string, version: number, patch: EnrollmentPatch): Promise<Enrollment> {
      return db.transaction().execute(async (trx) => {
        const current = await findEnrollment(trx, id);
        if (!current) throw notFound('enrollment', id);
        if (current.version !== version)
          throw new AppError(
            'VERSION_CONFLICT',
            'The enrollment was changed by someone else; reload and try again.',
            { id, expectedVersion: version, currentVersion: current.version },
          );
        const today = localDateOf(clock.now(), config.TZ_ORG);
        const change = resolveEnrollmentPatch(current, patch, today);
        if (takesSeat(current.status, change.status)) {
          const group = await lockActiveGroup(trx, current.groupId);
          assertSeatAvailable(group, await countActive(trx, group.id));
        }
        // Still versioned: a change committed since the read above answers VERSION_CONFLICT.
        return updateEnrollment(trx, current, version, change);
      });
    },
  };
}
