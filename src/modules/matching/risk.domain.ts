import { wallTimeOf, zonedTimeToUtc } from '../../shared/clock.ts';
import type { Risk } from '../patients/patients.domain.ts';
import { recentDischargeWindow } from '../patients/patients.domain.ts';
import type { Specialty } from '../vocabulary/vocabulary.domain.ts';

/**
 * Risk tiers of a displaced patient, worst first (DESIGN.md, DOMAIN.md):
 * - `urgent`: perinatal psychosis risk, a psychiatric emergency that goes to the 48-hour urgent
 *   standard rather than a routine re-match. It ranks above everyone, even a recent discharge.
 * - `recent_discharge`: discharged from psychiatric inpatient care in the last 30 days; tops every
 *   routine queue, with the HEDIS follow-up (FUH) 7-day deadline.
 * - `high`: a high risk screen (e.g. suicide risk).
 * - `perinatal`: pregnant or postpartum.
 * - `standard`: everyone else.
 */
export const riskTiers = ['urgent', 'recent_discharge', 'high', 'perinatal', 'standard'] as const;
export type RiskTier = (typeof riskTiers)[number];

/**
 * The risk weight multiplies two things in the re-matching cost: the delay term (each business
 * day until the first session) and the penalty for leaving the patient unmatched. So a day of
 * waiting costs 8 times more for an urgent patient than for a standard one, and when seats run
 * short they go to the higher tier first.
 */
export const riskWeights = {
  urgent: 8,
  recent_discharge: 6,
  high: 4,
  perinatal: 2,
  standard: 1,
} as const satisfies Record<RiskTier, number>;

/** What the tier depends on; a `Patient` fits. */
export interface RiskInput {
  conditions: readonly Specialty[];
  perinatal: boolean;
  risk: Risk;
  /** The last discharge from psychiatric inpatient care, if any. */
  dischargedAt: Date | null;
}

/**
 * Perinatal psychosis risk: the condition itself, or psychosis in a perinatal patient.
 * (Postpartum psychosis is 1–2 per 1,000 deliveries and a psychiatric emergency.)
 */
export function hasPerinatalPsychosisRisk(
  patient: Omit<RiskInput, 'risk' | 'dischargedAt'>,
): boolean {
  return (
    patient.conditions.includes('perinatal_psychosis_risk') ||
    (patient.perinatal && patient.conditions.includes('psychosis'))
  );
}

/**
 * Recently discharged at `now`: the same inclusive 30-day window as the patients filter, so a
 * patient listed there as recently discharged ranks here as one.
 */
export function recentlyDischarged(dischargedAt: Date | null, now: Date): boolean {
  if (dischargedAt === null) return false;
  const window = recentDischargeWindow(now);
  return dischargedAt >= window.from && dischargedAt <= window.to;
}

export function riskTier(patient: RiskInput, now: Date): RiskTier {
  if (hasPerinatalPsychosisRisk(patient)) return 'urgent';
  if (recentlyDischarged(patient.dischargedAt, now)) return 'recent_discharge';
  if (patient.risk === 'high') return 'high';
  if (patient.perinatal) return 'perinatal';
  return 'standard';
}

export function riskWeight(tier: RiskTier): number {
  return riskWeights[tier];
}

/** The urgent standard (28 CCR §1300.67.2.2): 48 hours, no prior authorization. */
export const urgentStandardHours = 48;

/**
 * The HEDIS FUH window after a discharge: a visit counts from the day after the discharge (a
 * visit on the day of discharge does not) through the `days`-th day, in the organization's time
 * zone. `dueBefore` is the first instant that is too late.
 */
export function followUpWindow(
  dischargedAt: Date,
  days: 7 | 30,
  timeZone: string,
): { countsFrom: Date; dueBefore: Date } {
  const day = wallTimeOf(dischargedAt, timeZone);
  const midnightAfter = (offset: number): Date => {
    // Date.UTC normalises day overflow (31 + 1 → the 1st of the next month).
    const date = new Date(Date.UTC(day.year, day.month - 1, day.day + offset));
    return zonedTimeToUtc(
      {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: 0,
        minute: 0,
        second: 0,
      },
      timeZone,
    );
  };
  return { countsFrom: midnightAfter(1), dueBefore: midnightAfter(days + 1) };
}

export type CareStandard = 'urgent_48_hours' | 'fuh_7_days' | 'fuh_30_days';

export interface CareDeadline {
  standard: CareStandard;
  /** The first instant that is too late. */
  dueBefore: Date;
}

/**
 * The deadline a displaced patient's tier imposes, or null when the ordinary timely-access clock
 * (business days, computed with the organization's calendar elsewhere) is the one that applies.
 * Urgent: 48 hours from the displacement (the cancellation is the request to reschedule).
 * Recent discharge: the FUH 7-day window while it is open, then the 30-day one.
 */
export function careDeadline(
  patient: RiskInput,
  now: Date,
  displacedAt: Date,
  timeZone: string,
): CareDeadline | null {
  const tier = riskTier(patient, now);
  switch (tier) {
    case 'urgent':
      return {
        standard: 'urgent_48_hours',
        dueBefore: new Date(displacedAt.getTime() + urgentStandardHours * 3_600_000),
      };
    case 'recent_discharge': {
      if (patient.dischargedAt === null) return null;
      const seven = followUpWindow(patient.dischargedAt, 7, timeZone);
      if (now < seven.dueBefore) return { standard: 'fuh_7_days', dueBefore: seven.dueBefore };
      const thirty = followUpWindow(patient.dischargedAt, 30, timeZone);
      return { standard: 'fuh_30_days', dueBefore: thirty.dueBefore };
    }
    case 'high':
    case 'perinatal':
    case 'standard':
      return null;
  }
}

/** What ranking needs: the tier's inputs, an id, and when the patient was last seen. */
export interface RankInput extends RiskInput {
  id: string;
  /** The last attended session or visit; null when never seen (longest without care). */
  lastCareAt: Date | null;
}

export interface Ranked<T extends RankInput> {
  patient: T;
  tier: RiskTier;
  weight: number;
}

/** Plain code-unit order: the same in every locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Worst tier first, then longest without care (never seen first), then id. */
export function compareRanked<T extends RankInput>(a: Ranked<T>, b: Ranked<T>): number {
  const byTier = riskTiers.indexOf(a.tier) - riskTiers.indexOf(b.tier);
  if (byTier !== 0) return byTier;
  const lastA = a.patient.lastCareAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const lastB = b.patient.lastCareAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  if (lastA !== lastB) return lastA < lastB ? -1 : 1;
  return compareIds(a.patient.id, b.patient.id);
}

/** The displaced patients in queue order, each with its tier and weight at `now`. */
export function rankByRisk<T extends RankInput>(patients: readonly T[], now: Date): Ranked<T>[] {
  return patients
    .map((patient) => {
      const tier = riskTier(patient, now);
      return { patient, tier, weight: riskWeight(tier) };
    })
    .sort(compareRanked);
}
