import { z } from 'zod';
import {
  calendarDate,
  idParams,
  instant,
  pageOf,
  pageQuery,
  queryBoolean,
  version,
} from '../../http/codecs.ts';
import {
  accommodations,
  groupModalities,
  groupSize,
  languagePattern,
  specialties,
} from '../vocabulary/vocabulary.domain.ts';
import {
  facilitatorRoles,
  groupKinds,
  groupStatuses,
  maxFacilitators,
  sessionStatuses,
} from './groups.domain.ts';
import { rruleProblem } from './schedule.domain.ts';

const specialty = z.enum(specialties);
const modality = z.enum(groupModalities);
const accommodation = z.enum(accommodations);
const language = z.string().regex(languagePattern, 'must be an ISO 639 code such as en or es');
const status = z.enum(groupStatuses);
const kind = z.enum(groupKinds);

const rrule = z
  .string()
  .min(10)
  .max(500)
  .superRefine((value, ctx) => {
    const problem = rruleProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(
    'RFC 5545 RRULE in the organization time zone, e.g. FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0',
  );

const facilitator = z.strictObject({ clinicianId: z.uuid(), role: z.enum(facilitatorRoles) });
const facilitators = z
  .array(facilitator)
  .max(maxFacilitators)
  .refine(
    (list) => new Set(list.map((f) => f.clinicianId)).size === list.length,
    'lists a clinician more than once',
  );

const fields = {
  name: z.string().trim().min(1).max(200),
  specialty,
  modality,
  language,
  accommodations: z.array(accommodation).max(accommodations.length),
  locationId: z.uuid(),
  capacity: z.number().int().min(1).max(groupSize.maximum),
  minSize: z.number().int().min(1).max(groupSize.maximum),
  kind,
  status,
  rrule,
  sessionMinutes: z.number().int().min(15).max(240),
  startsOn: calendarDate,
  endsOn: calendarDate.nullable(),
  facilitators,
};

export const groupSchema = z.object({
  id: z.uuid(),
  ...fields,
  enrolled: z.number().int().describe('Active enrollments.'),
  openSeats: z.number().int().describe('capacity − enrolled, never below 0.'),
  version: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});

export const createGroupBody = z
  .strictObject({
    ...fields,
    language: language.default('en'),
    accommodations: fields.accommodations.default([]),
    minSize: fields.minSize.optional().describe('Defaults to 5, capped at the capacity.'),
    kind: kind.default('open'),
    status: status.default('active'),
    sessionMinutes: fields.sessionMinutes.default(90),
    endsOn: fields.endsOn.default(null),
    facilitators: facilitators.default([]),
  })
  .superRefine((group, ctx) => {
    if (group.minSize !== undefined && group.minSize > group.capacity)
      ctx.addIssue({
        code: 'custom',
        path: ['minSize'],
        message: `must be at most the capacity (${group.capacity})`,
      });
    if (group.endsOn !== null && group.endsOn < group.startsOn)
      ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'must be on or after startsOn' });
  });

export const updateGroupBody = z.strictObject({
  version,
  ...z.object(fields).partial().shape,
});

export const listGroupsQuery = z.strictObject({
  ...pageQuery,
  specialty: specialty.optional(),
  locationId: z.uuid().optional(),
  serviceAreaId: z.uuid().optional(),
  modality: modality.optional(),
  language: language.optional(),
  accommodation: accommodation.optional().describe('Groups that offer it.'),
  status: status.optional(),
  kind: kind.optional(),
  hasOpenSeats: queryBoolean.optional(),
  clinicianId: z.uuid().optional().describe('Groups this clinician facilitates.'),
});

export const groupPage = pageOf(groupSchema);

export const sessionSchema = z.object({
  id: z.uuid(),
  startsAt: instant,
  endsAt: instant,
  status: z.enum(sessionStatuses),
  cancelReason: z.string().nullable(),
  disruptionId: z.uuid().nullable(),
  attendance: z
    .object({ present: z.number().int(), absent: z.number().int(), excused: z.number().int() })
    .describe('Patients recorded present, absent and excused: counts, no one named.'),
});

export const listSessionsQuery = z.strictObject({
  ...pageQuery,
  from: instant.optional().describe('Sessions starting at or after this instant.'),
  to: instant.optional().describe('Sessions starting before this instant.'),
  status: z.enum(sessionStatuses).optional(),
});

export const sessionPage = pageOf(sessionSchema);
export { idParams };
