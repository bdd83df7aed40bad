import { z } from 'zod';
import { calendarDate, idParams, instant, pageOf, pageQuery, version } from '../../http/codecs.ts';
import { enrollmentStatuses, initialEnrollmentStatuses } from './enrollments.domain.ts';

const status = z.enum(enrollmentStatuses);
const endReason = z.string().trim().min(1).max(200);

/** Ids and dates only: an enrollment never carries the patient's name. */
export const enrollmentSchema = z.object({
  id: z.uuid(),
  patientId: z.uuid(),
  groupId: z.uuid(),
  status,
  startsOn: calendarDate,
  endsOn: calendarDate.nullable(),
  endReason: z.string().nullable(),
  version: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});

export const createEnrollmentBody = z.strictObject({
  patientId: z.uuid(),
  groupId: z.uuid(),
  status: z
    .enum(initialEnrollmentStatuses)
    .default('active')
    .describe('active takes a seat (409 GROUP_FULL when none is left); waitlisted waits for one.'),
  startsOn: calendarDate,
});

export const updateEnrollmentBody = z.strictObject({
  version,
  status: status.optional(),
  endsOn: calendarDate
    .optional()
    .describe(
      'Only when the status becomes ended; defaults to today in the organization time zone.',
    ),
  endReason: endReason.nullable().optional(),
});

export const listEnrollmentsQuery = z.strictObject({
  ...pageQuery,
  patientId: z.uuid().optional(),
  groupId: z.uuid().optional(),
  status: status.optional(),
});

export const enrollmentPage = pageOf(enrollmentSchema);
export { idParams };
