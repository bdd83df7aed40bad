import { z } from 'zod';
import { calendarDate, idParams, instant, pageOf, pageQuery, version } from '../../http/codecs.ts';
import { riskTiers } from '../matching/risk.domain.ts';
import { specialties } from '../vocabulary/vocabulary.domain.ts';
import { disruptionKinds, disruptionStatuses } from './disruptions.domain.ts';

const ids = z.array(z.uuid()).max(5000).default([]);

export const scopeSchema = z
  .strictObject({
    clinicianIds: ids.describe(
      'A group is disrupted when every one of its facilitators is listed here.',
    ),
    locationIds: ids,
    groupIds: ids,
    serviceAreaIds: ids,
  })
  .describe('What the disruption affects: any mix; at least one id in all.');

export const disruptionSchema = z.object({
  id: z.uuid(),
  kind: z.enum(disruptionKinds),
  title: z.string(),
  scope: z.object({
    clinicianIds: z.array(z.uuid()),
    locationIds: z.array(z.uuid()),
    groupIds: z.array(z.uuid()),
    serviceAreaIds: z.array(z.uuid()),
  }),
  startsOn: calendarDate,
  endsOn: calendarDate.nullable(),
  status: z.enum(disruptionStatuses),
  appliedAt: instant.nullable(),
  endedAt: instant.nullable(),
  version: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});

const title = z.string().trim().min(1).max(200);

export const createDisruptionBody = z.strictObject({
  kind: z.enum(disruptionKinds),
  title,
  scope: scopeSchema,
  startsOn: calendarDate,
  endsOn: calendarDate.nullable().optional().describe('Its last day; none while open-ended.'),
});

export const updateDisruptionBody = z.strictObject({
  version,
  kind: z.enum(disruptionKinds).optional(),
  title: title.optional(),
  scope: scopeSchema.optional(),
  startsOn: calendarDate.optional(),
  endsOn: calendarDate.nullable().optional(),
});

export const listDisruptionsQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(disruptionStatuses).optional(),
});

export const endDisruptionBody = z
  .strictObject({
    on: calendarDate
      .optional()
      .describe('The last day of the disruption; default today in the organization time zone.'),
  })
  .nullish()
  .transform((body) => body ?? {})
  .describe('Optional: a request may have no body.');

const deadline = z.object({
  standard: z.enum(['urgent_48_hours', 'fuh_7_days', 'fuh_30_days', 'follow_up_10_business_days']),
  dueBefore: instant,
});

export const impactSchema = z.object({
  window: z.object({ from: instant, until: instant.nullable() }),
  displacedAt: instant,
  sessions: z.object({
    total: z.number().int(),
    alreadyCancelled: z.number().int(),
    toCancel: z.number().int(),
    groups: z.array(
      z.object({
        groupId: z.uuid(),
        name: z.string(),
        specialty: z.enum(specialties),
        serviceAreaId: z.uuid(),
        sessions: z.array(z.object({ id: z.uuid(), startsAt: instant, cancelled: z.boolean() })),
      }),
    ),
  }),
  patients: z.array(
    z.object({
      patientId: z.uuid(),
      mrn: z.string(),
      name: z.string(),
      serviceAreaId: z.uuid(),
      tier: z.enum(riskTiers),
      weight: z.number(),
      need: z.enum(specialties),
      lostGroupIds: z.array(z.uuid()),
      lastCareAt: instant.nullable(),
      daysWithoutCare: z.number().int().nullable(),
      deadline,
      overdue: z.boolean(),
    }),
  ),
  counts: z.object({
    patients: z.number().int(),
    byTier: z.record(z.enum(riskTiers), z.number().int()),
    bySpecialty: z.array(z.object({ specialty: z.enum(specialties), patients: z.number().int() })),
    byServiceArea: z.array(
      z.object({
        serviceAreaId: z.uuid(),
        code: z.string(),
        name: z.string(),
        patients: z.number().int(),
      }),
    ),
  }),
});

export const simulationSchema = z.object({ disruption: disruptionSchema, impact: impactSchema });
export const applySchema = z.object({
  disruption: disruptionSchema,
  sessionsCancelled: z.number().int(),
});
export const endSchema = z.object({
  disruption: disruptionSchema,
  sessionsResumed: z.number().int(),
});
export const disruptionPage = pageOf(disruptionSchema);
export { idParams };
