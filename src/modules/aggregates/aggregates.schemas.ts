import { z } from 'zod';
import { errorBody, instant } from '../../http/codecs.ts';
import { errorResponses } from '../../http/responses.ts';
import { patientMeasures } from './aggregates.domain.ts';

const patientCount = z
  .number()
  .int()
  .min(0)
  .nullable()
  .describe('Distinct patients; null when suppressed (1 to 10, or derivable from the others).');

// Deliberately no id of anything: the auditor sees areas by code and name, groups by specialty.
export const enrollmentAggregateRowSchema = z.object({
  serviceAreaCode: z.string(),
  serviceAreaName: z.string(),
  specialty: z.string().nullable().describe('null on the service area’s totals row.'),
  groups: z.number().int().describe('Active groups.'),
  seats: z.number().int().describe('Summed capacity of the active groups.'),
  activeEnrollments: patientCount,
  waitlisted: patientCount,
  patientsHighRisk: patientCount.describe('Actively enrolled patients at high risk.'),
  patientsRecentlyDischarged: patientCount.describe(
    'Actively enrolled patients discharged from inpatient care in the last 30 days.',
  ),
  patientsPerinatal: patientCount.describe('Actively enrolled perinatal patients.'),
  suppressed: z.array(z.enum(patientMeasures)).describe('The counts shown as null.'),
});

export const enrollmentAggregateSchema = z.object({
  view: z.literal('enrollment'),
  asOf: instant,
  minimumCellSize: z.number().int(),
  rows: z.array(enrollmentAggregateRowSchema),
});

export const daysWithoutCareQuery = z.strictObject({
  weeks: z.coerce.number().int().min(2).max(52).default(12),
  serviceAreaId: z.uuid().optional(),
});

const weekCount = z.number().int().min(0).nullable();

export const daysWithoutCareSchema = z.object({
  asOf: instant,
  minimumCellSize: z.number().int(),
  weeks: z.array(
    z.object({
      weekEnding: z.string().describe('The week’s last day (YYYY-MM-DD).'),
      patients: weekCount.describe('The denominator: patients in a course of treatment that day.'),
      neverSeen: weekCount.describe('Of them, with no attended care yet.'),
      over14Days: weekCount.describe('Of them, last attended care more than 14 days before.'),
      over28Days: weekCount.describe('Of them, last attended care more than 28 days before.'),
      medianDays: z.number().nullable().describe('Median days since the last attended care.'),
    }),
  ),
});

export const aggregateErrors = { ...errorResponses, 401: errorBody, 403: errorBody } as const;
