import type { Accommodation } from '../vocabulary/vocabulary.domain.ts';
import type { CandidateParams } from './candidate-params.domain.ts';
import { accommodationLabels } from './candidate-reasons.domain.ts';
import {
  plural,
  type CareMode,
  type DisplacedPatient,
  type Offer,
} from './candidate-targets.domain.ts';

/** The cost terms of DESIGN.md, each reported in a candidate's explanation. */
export const costTerms = [
  'specialty_mismatch',
  'travel',
  'delay',
  'own_clinician_loss',
  'outside_network',
  'missing_soft_accommodations',
] as const;
export type CostTermName = (typeof costTerms)[number];

export interface CostTerm {
  term: CostTermName;
  /** What was measured: 1 − equivalence, km, business days, 0/1, or a count. */
  value: number;
  /** The multiplier: the risk weight for the delay term, 1 for the others. */
  weight: number;
  /** Integer cost: value × cost per unit × weight × unitScale, rounded. */
  cost: number;
  detail: string;
}

/** Every cost term of a candidate, in `costTerms` order. */
export function price(
  patient: DisplacedPatient,
  offer: Offer,
  mode: CareMode,
  km: number,
  weight: number,
  now: Date,
  params: CandidateParams,
): CostTerm[] {
  const { costs, unitScale } = params;
  const term = (
    name: CostTermName,
    value: number,
    perUnit: number,
    detail: string,
    termWeight = 1,
  ): CostTerm => ({
    term: name,
    value,
    weight: termWeight,
    cost: Math.round(value * perUnit * termWeight * unitScale),
    detail,
  });

  const mismatch = 1 - offer.equivalence.score;
  const travel = mode === 'in_person' ? km : 0;
  const first = offer.firstSessionAt;
  const days = first ? params.businessDaysBetween(now, first) : params.outsideLeadBusinessDays;
  const ownLost = patient.ownClinicianIds.length > 0 && !offer.keepsOwnClinician;
  const wanted = params.softAccommodations.filter((a) => patient.needs.includes(a));
  const lacking = wanted.filter((a) => !offer.accommodations.includes(a));
  const labels = (list: readonly Accommodation[]) =>
    list.map((a) => accommodationLabels[a]).join(', ');

  return [
    term(
      'specialty_mismatch',
      mismatch,
      costs.specialtyMismatch,
      `1 − ${offer.equivalence.score.toFixed(2)} equivalence`,
    ),
    term(
      'travel',
      travel,
      costs.travelPerKm,
      mode === 'virtual' ? 'virtual care' : `${km.toFixed(1)} km one way`,
    ),
    term(
      'delay',
      days,
      costs.delayPerBusinessDay,
      `${plural(days, 'business day', 'business days')} until ${first ? first.toISOString() : 'the first visit (no date given: assumed)'}, × risk weight ${weight}`,
      weight,
    ),
    term(
      'own_clinician_loss',
      ownLost ? 1 : 0,
      costs.ownClinicianLoss,
      patient.ownClinicianIds.length === 0
        ? 'no own clinician on record'
        : offer.keepsOwnClinician
          ? "keeps one of the patient's own clinicians"
          : "none of the patient's own clinicians continues",
    ),
    term(
      'outside_network',
      offer.outside ? 1 : 0,
      costs.outsideNetwork,
      offer.outside ? 'outside the network' : 'in network',
    ),
    term(
      'missing_soft_accommodations',
      lacking.length,
      costs.missingSoftAccommodation,
      lacking.length > 0
        ? `lacks ${labels(lacking)}`
        : wanted.length > 0
          ? `offers ${labels(wanted)}`
          : 'no preferences',
    ),
  ];
}
