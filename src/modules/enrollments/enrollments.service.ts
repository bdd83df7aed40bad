import type { ServiceDeps } from '../../context.ts';
import { versionConflict } from '../../db/versioned.ts';
import type { AccessRecord } from '../audit/access.service.ts';
import type { Db } from '../../db/database.ts';
import { localDateOf } from '../../shared/clock.ts';
import { AppError, isAppError, notFound } from '../../shared/errors.ts';
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
  findEnrollment,
  insertEnrollment,
  isFacilitator,
  listEnrollments,
  lockGroupSeats,
  updateEnrollment,
} from './enrollments.repository.ts';
import { givenKeys, listed } from '../audit/access.service.ts';

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

/**
 * Enrollments, the rosters of groups: reading needs enrollments:read, writing enrollments:write
 * (UNAUTHENTICATED or FORBIDDEN otherwise, and the refusal is audited as denied). A clinician sees
 * only the rosters of groups they facilitate: FORBIDDEN for any other. An enrollment names a
 * patient, so every one read or written is audited: reads after the fetch, one event per
 * enrollment returned; writes in the write's own transaction. Audit details hold ids and the
 * names of criteria and fields, never their values.
 */
export function createEnrollmentService({ db, clock, config, access }: ServiceDeps) {
  /**
   * The clinician's scope (policy.domain.ts): only the rosters of groups they facilitate. Admins
   * and coordinators are unrestricted. Throws FORBIDDEN.
   * A refusal is audited as denied, as `record`.
   */
  async function assertRosterInScope(
    groupId: string | undefined,
    record: AccessRecord,
  ): Promise<void> {
    const { role, clinicianId } = access.actor;
    if (role !== 'clinician') return;
    // details.scope marks a refusal of scope, not of the policy table (the route matrix relies on it).
    const scope = 'facilitated-groups';
    if (groupId === undefined) {
      return access.deny(
        record,
        new AppError(
          'FORBIDDEN',
          'A clinician sees one roster at a time: give the groupId of a group you facilitate.',
          { scope, field: 'groupId' },
        ),
      );
    }
    if (clinicianId === null || !(await isFacilitator(db, groupId, clinicianId))) {
      return access.deny(
        record,
        new AppError('FORBIDDEN', 'A clinician sees only the rosters of groups they facilitate.', {
          scope,
          groupId,
        }),
      );
    }
  }

  return {
    /**
     * Enrolls a patient in a group, as active (taking a seat) or waitlisted. The group's row is
     * locked while its seats are counted, so concurrent enrollments never over-fill it.
     * Throws UNKNOWN_REFERENCE (patient or group), CONFLICT (the group is not active),
     * ALREADY_ENROLLED (an open enrollment exists) and GROUP_FULL.
     */
    async create(input: NewEnrollment): Promise<Enrollment> {
      const detail = { groupId: input.groupId };
      await access.require('enrollments:write', {
        action: 'enrollment.create',
        entity: 'enrollment',
        patientId: input.patientId,
        detail,
      });
      return db.transaction().execute(async (trx) => {
        const group = await lockActiveGroup(trx, input.groupId);
        // The open-enrollment unique index decides ALREADY_ENROLLED, then the database's seat
        // trigger decides GROUP_FULL (0003-rematch); the refusal is rethrown with the seat count.
        const enrollment = await insertEnrollment(trx, input).catch((error: unknown) => {
          if (isAppError(error) && error.code === 'GROUP_FULL') assertSeatAvailable(group);
          throw error;
        });
        // Last, so the audit chain's lock is taken after the group's and held briefly.
        await access.record(
          [
            {
              action: 'enrollment.create',
              entity: 'enrollment',
              entityId: enrollment.id,
              patientId: enrollment.patientId,
              detail,
            },
          ],
          trx,
        );
        return enrollment;
      });
    },

    /** Throws NOT_FOUND for an unknown id, FORBIDDEN for a clinician outside the group. */
    async get(id: string): Promise<Enrollment> {
      await access.require('enrollments:read', {
        action: 'enrollment.read',
        entity: 'enrollment',
        entityId: id,
      });
      const enrollment = await findEnrollment(db, id);
      if (!enrollment) throw notFound('enrollment', id);
      await assertRosterInScope(enrollment.groupId, {
        action: 'enrollment.read',
        entity: 'enrollment',
        entityId: enrollment.id,
        patientId: enrollment.patientId,
        detail: { groupId: enrollment.groupId },
      });
      await access.record([
        {
          action: 'enrollment.read',
          entity: 'enrollment',
          entityId: enrollment.id,
          patientId: enrollment.patientId,
          detail: { groupId: enrollment.groupId },
        },
      ]);
      return enrollment;
    },

    /**
     * Lists enrollments in id order that meet every criterion. A clinician must give the groupId
     * of a group they facilitate (FORBIDDEN otherwise).
     */
    async list(filter: EnrollmentFilter, page: PageRequest): Promise<Page<Enrollment>> {
      const filters = givenKeys(filter);
      await access.require('enrollments:read', {
        action: 'enrollment.list',
        entity: 'enrollment',
        patientId: filter.patientId ?? null,
        detail: { filters },
      });
      await assertRosterInScope(filter.groupId, {
        action: 'enrollment.list',
        entity: 'enrollment',
        patientId: filter.patientId ?? null,
        detail: { filters, groupId: filter.groupId ?? null },
      });
      const result = await listEnrollments(db, filter, page);
      await access.record(
        listed('enrollment.list', 'enrollment', result.items, {
          filters,
          groupId: filter.groupId ?? null,
        }),
      );
      return result;
    },

    /**
     * Changes an enrollment at `version`. Ending sets endsOn (default: today in the organization
     * time zone); moving to active re-checks the group's seats under its row lock. Throws
     * NOT_FOUND, VERSION_CONFLICT, INVALID_TRANSITION, VALIDATION_FAILED, CONFLICT, GROUP_FULL.
     */
    async update(id: string, version: number, patch: EnrollmentPatch): Promise<Enrollment> {
      const fields = givenKeys(patch);
      await access.require('enrollments:write', {
        action: 'enrollment.update',
        entity: 'enrollment',
        entityId: id,
        detail: { fields },
      });
      return db.transaction().execute(async (trx) => {
        const current = await findEnrollment(trx, id);
        if (!current) throw notFound('enrollment', id);
        if (current.version !== version)
          throw versionConflict('enrollment', id, version, current.version);
        const today = localDateOf(clock.now(), config.TZ_ORG);
        const change = resolveEnrollmentPatch(current, patch, today);
        if (takesSeat(current.status, change.status)) {
          const group = await lockActiveGroup(trx, current.groupId);
          assertSeatAvailable(group);
        }
        // Still versioned: a change committed since the read above answers VERSION_CONFLICT.
        const updated = await updateEnrollment(trx, current, version, change);
        await access.record(
          [
            {
              action: 'enrollment.update',
              entity: 'enrollment',
              entityId: id,
              patientId: current.patientId,
              detail: { groupId: current.groupId, fields },
            },
          ],
          trx,
        );
        return updated;
      });
    },
  };
}
