import { AppError } from '../../shared/errors.ts';
import { localDateOf } from '../../shared/clock.ts';
import { addCalendarDays, startOfLocalDay } from '../timely-access/calendar.domain.ts';

/**
 * Grievances (DOMAIN.md; H&S Code §§1368, 1368.01; 28 CCR §1300.68): acknowledged in writing
 * within 5 calendar days and resolved within 30; an expedited one (an imminent and serious threat
 * to health) tells the patient at once that they may contact DMHC, and sends the patient and DMHC a
 * written disposition or status within 3 calendar days.
 */

export const grievanceChannels = ['phone', 'letter', 'portal', 'in_person'] as const;
export const grievanceTypes = [
  'coverage_dispute',
  'medical_necessity',
  'quality_of_care',
  'access_to_care',
  'quality_of_service',
] as const;
export const linesOfBusiness = ['commercial', 'medicare', 'medi_cal'] as const;
export const grievanceStatuses = ['received', 'acknowledged', 'resolved', 'withdrawn'] as const;
export const pendingWith = ['plan', 'medical_group', 'provider', 'regulator'] as const;
export type GrievanceStatus = (typeof grievanceStatuses)[number];
export type GrievanceChannel = (typeof grievanceChannels)[number];
export type GrievanceType = (typeof grievanceTypes)[number];
export type LineOfBusiness = (typeof linesOfBusiness)[number];
export type PendingWith = (typeof pendingWith)[number];

export const grievanceTransitions = {
  received: ['acknowledged', 'resolved', 'withdrawn'],
  acknowledged: ['resolved', 'withdrawn'],
  resolved: [],
  withdrawn: [],
} as const satisfies Record<GrievanceStatus, readonly GrievanceStatus[]>;

/** Calendar days, counted by the organization's dates: a deadline is the midnight after its day. */
export const acknowledgeDays = 5;
export const resolveDays = 30;
export const expeditedDays = 3;

export interface GrievanceDeadlines {
  /** The first instant that is too late for each duty. */
  acknowledgeBefore: Date;
  resolveBefore: Date;
  /** Expedited only: the written disposition or status to the patient and DMHC. */
  dispositionBefore: Date | null;
}

/**
 * The deadlines of a grievance received at `receivedAt`: the day it is received is day 0, and a
 * duty of n days is due by the end of day n, local time (so month ends and leap days count as the
 * calendar has them).
 */
export function grievanceDeadlines(
  receivedAt: Date,
  expedited: boolean,
  timeZone: string,
): GrievanceDeadlines {
  const day = localDateOf(receivedAt, timeZone);
  const endOf = (n: number) => startOfLocalDay(addCalendarDays(day, n + 1), timeZone);
  return {
    acknowledgeBefore: endOf(acknowledgeDays),
    resolveBefore: endOf(resolveDays),
    dispositionBefore: expedited ? endOf(expeditedDays) : null,
  };
}

/** Throws INVALID_TRANSITION, or VALIDATION_FAILED when a resolution is missing. */
export function assertGrievanceTransition(
  id: string,
  from: GrievanceStatus,
  to: GrievanceStatus,
  resolution: string | undefined,
): void {
  const allowed: readonly GrievanceStatus[] = grievanceTransitions[from];
  if (!allowed.includes(to))
    throw new AppError('INVALID_TRANSITION', `A ${from} grievance cannot become ${to}.`, {
      id,
      status: from,
      to,
      allowed,
    });
  if (to === 'resolved' && (resolution === undefined || resolution.trim() === ''))
    throw new AppError('VALIDATION_FAILED', 'Invalid resolution: a resolved grievance says how.', {
      issues: [{ field: 'resolution', problem: 'required to resolve' }],
    });
}

export interface Rate {
  numerator: number;
  denominator: number;
  value: number | null;
  unit: string;
  definition: string;
}

/**
 * The three rates DOMAIN.md asks for side by side, from one numerator: per 1,000 enrollees
 * adjusted to 30 days (CMS), per 10,000 members (California OPA), and a share of affected
 * patients. Each names its numerator and denominator.
 */
export function grievanceRates(input: {
  grievances: number;
  members: number;
  days: number;
  affectedPatients: number;
  affectedDefinition: string;
}): Rate[] {
  const { grievances, members, days, affectedPatients } = input;
  return [
    {
      numerator: grievances,
      denominator: members,
      value: members === 0 || days === 0 ? null : (grievances / members) * 1000 * (30 / days),
      unit: 'per 1,000 enrollees per 30 days',
      definition: `Grievances per 1,000 enrolled members, scaled to a 30-day period from ${days} days (the CMS convention).`,
    },
    {
      numerator: grievances,
      denominator: members,
      value: members === 0 ? null : (grievances / members) * 10_000,
      unit: 'per 10,000 members',
      definition:
        'Grievances per 10,000 enrolled members over the period, unscaled (the California OPA report card convention).',
    },
    {
      numerator: grievances,
      denominator: affectedPatients,
      value: affectedPatients === 0 ? null : grievances / affectedPatients,
      unit: 'share of affected patients',
      definition: `Grievances as a share of ${input.affectedDefinition}.`,
    },
  ];
}
