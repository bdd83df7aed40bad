import type { Accommodation } from '../vocabulary/vocabulary.domain.ts';
import { defaultEquivalenceMatrix, type EquivalenceMatrix } from './equivalence.domain.ts';

/**
 * The knobs of candidate generation (DESIGN.md, "Re-matching: the model"): the hard limits and
 * the cost of each term. Costs are in cost units, scaled to integers for the solver.
 */

/** Cost per unit of each term, in cost units; integers are cost units × `unitScale`. */
export interface CostWeights {
  /** Charged as (1 − equivalence) × this: 10 units at the 0.5 floor, 0 for the same specialty. */
  specialtyMismatch: number;
  /** Per km of one-way travel to in-person care; virtual care travels 0 km. */
  travelPerKm: number;
  /** Per business day until the first session, times the risk weight. */
  delayPerBusinessDay: number;
  /** When the patient has own clinicians and the option keeps none of them. */
  ownClinicianLoss: number;
  /** For care outside the network (referral loop, coordination). */
  outsideNetwork: number;
  /** Per soft accommodation the patient wants and the option lacks (e.g. evening). */
  missingSoftAccommodation: number;
  /** Leaving the patient unmatched, times the risk weight. */
  unmatched: number;
}

export interface CandidateParams {
  /** Equivalence below this is not clinically acceptable. */
  equivalenceFloor: number;
  /** Maximum one-way distance to in-person care. */
  maxTravelKm: number;
  matrix: EquivalenceMatrix;
  costs: CostWeights;
  /** Integer costs are cost units × this, so the solver works in integers. */
  unitScale: number;
  /** Business days after `from` up to and including the day of `to`; 0 when `to` ≤ `from`. */
  businessDaysBetween: (from: Date, to: Date) => number;
  /** Assumed delay to an outside provider's first visit when they give no date. */
  outsideLeadBusinessDays: number;
  /** Accommodations a patient's need makes mandatory (wheelchair only for in-person care). */
  hardAccommodations: readonly Accommodation[];
  /** Accommodations that are preferences: missing ones cost, they do not exclude. */
  softAccommodations: readonly Accommodation[];
}

export type CandidateParamsInput = Partial<Omit<CandidateParams, 'costs'>> & {
  costs?: Partial<CostWeights> | undefined;
};

const dayMs = 86_400_000;

/** Weekdays whose (UTC) day index is in [0, day): day 0, 1 January 1970, was a Thursday. */
function weekdaysBefore(day: number): number {
  const weeks = Math.floor(day / 7);
  let count = weeks * 5;
  // (d + 4) mod 7 is the weekday, 0 = Sunday … 6 = Saturday.
  for (let d = weeks * 7; d < day; d += 1) if (((((d + 4) % 7) + 7) % 7) % 6 !== 0) count += 1;
  return count;
}

/**
 * Weekdays after `from`'s date up to and including `to`'s, by UTC date. An approximation: the
 * organization's calendar (California holidays, its time zone) is passed in as
 * `businessDaysBetween` when it is available.
 */
export function weekdaysBetween(from: Date, to: Date): number {
  const a = Math.floor(from.getTime() / dayMs);
  const b = Math.floor(to.getTime() / dayMs);
  return b <= a ? 0 : weekdaysBefore(b + 1) - weekdaysBefore(a + 1);
}

/**
 * Defaults, in cost units (one unit ≈ one business day of waiting for a standard patient):
 * a full specialty mismatch 20 (so at most 10 above the 0.5 floor), 0.1 per km (at most 4 within
 * 40 km), 1 per business day × risk weight, 3 for losing one's own clinician, 5 for going outside
 * the network, 2 per missing soft accommodation (evening). A candidate's unweighted terms so
 * total at most 24. Unmatched costs 200 × risk weight: a standard patient is left unmatched only
 * when every candidate's first session is more than about 175 business days away, and each tier
 * step adds at least 200 to the penalty, far more than the unweighted terms can differ, so when
 * seats run short they go to the higher tier first.
 *
 * Baby-friendly is hard in every mode (whether an infant may join is the group's or provider's
 * policy, so it must be declared); wheelchair access only for in-person care.
 */
export const defaultCandidateParams: CandidateParams = {
  equivalenceFloor: 0.5,
  maxTravelKm: 40,
  matrix: defaultEquivalenceMatrix,
  costs: {
    specialtyMismatch: 20,
    travelPerKm: 0.1,
    delayPerBusinessDay: 1,
    ownClinicianLoss: 3,
    outsideNetwork: 5,
    missingSoftAccommodation: 2,
    unmatched: 200,
  },
  unitScale: 1000,
  businessDaysBetween: weekdaysBetween,
  outsideLeadBusinessDays: 5,
  hardAccommodations: ['baby_friendly', 'wheelchair'],
  softAccommodations: ['evening'],
};

/** The defaults, with whatever `input` sets. */
export function resolveParams(input: CandidateParamsInput = {}): CandidateParams {
  const d = defaultCandidateParams;
  const c = input.costs ?? {};
  return {
    equivalenceFloor: input.equivalenceFloor ?? d.equivalenceFloor,
    maxTravelKm: input.maxTravelKm ?? d.maxTravelKm,
    matrix: input.matrix ?? d.matrix,
    costs: {
      specialtyMismatch: c.specialtyMismatch ?? d.costs.specialtyMismatch,
      travelPerKm: c.travelPerKm ?? d.costs.travelPerKm,
      delayPerBusinessDay: c.delayPerBusinessDay ?? d.costs.delayPerBusinessDay,
      ownClinicianLoss: c.ownClinicianLoss ?? d.costs.ownClinicianLoss,
      outsideNetwork: c.outsideNetwork ?? d.costs.outsideNetwork,
      missingSoftAccommodation: c.missingSoftAccommodation ?? d.costs.missingSoftAccommodation,
      unmatched: c.unmatched ?? d.costs.unmatched,
    },
    unitScale: input.unitScale ?? d.unitScale,
    businessDaysBetween: input.businessDaysBetween ?? d.businessDaysBetween,
    outsideLeadBusinessDays: input.outsideLeadBusinessDays ?? d.outsideLeadBusinessDays,
    hardAccommodations: input.hardAccommodations ?? d.hardAccommodations,
    softAccommodations: input.softAccommodations ?? d.softAccommodations,
  };
}

/** Great-circle distance in km (haversine, mean Earth radius). */
export function haversineKm(
  a: { lat: number; lon: number },
  b: { lat: number; lon: number },
): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Integer cost of leaving a patient unmatched: the penalty × the risk weight, scaled. */
export function unmatchedCost(weight: number, params: CandidateParamsInput = {}): number {
  const resolved = resolveParams(params);
  return Math.round(resolved.costs.unmatched * weight * resolved.unitScale);
}
