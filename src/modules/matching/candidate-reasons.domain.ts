import type { Accommodation, Specialty } from '../vocabulary/vocabulary.domain.ts';
import { resolveParams, type CandidateParamsInput } from './candidate-params.domain.ts';
import type { DisplacedPatient, OptionKind } from './candidate-targets.domain.ts';
import { perinatalSpecialties } from './equivalence.domain.ts';

/** The hard constraints of DESIGN.md, in the order they are checked and explained. */
export const hardConstraints = [
  'specialty',
  'language',
  'modality',
  'distance',
  'accommodations',
  'capacity',
  'schedule',
] as const;
export type HardConstraint = (typeof hardConstraints)[number];

export interface ConstraintFailure {
  constraint: HardConstraint;
  detail: string;
  /** For `accommodations`: the required ones the target lacks. */
  missing?: Accommodation[] | undefined;
}

/** A target that is not a candidate, and every hard constraint it broke. */
export interface Rejection {
  kind: OptionKind;
  targetId: string;
  failed: ConstraintFailure[];
}

/** Short adjectives for the reasons a coordinator reads. */
export const specialtyLabels = {
  perinatal_mood_anxiety: 'perinatal',
  perinatal_psychosis_risk: 'perinatal psychosis',
  birth_trauma: 'birth trauma',
  psychosis: 'psychosis',
  ptsd: 'PTSD',
  eating_disorders: 'eating disorder',
  depression: 'depression',
  general_anxiety: 'anxiety',
  social_anxiety: 'social anxiety',
  ocd: 'OCD',
  bipolar: 'bipolar',
  substance_use: 'substance use',
  grief: 'grief',
  dbt_skills: 'DBT skills',
  anger_management: 'anger management',
  adolescent_mood: 'adolescent mood',
} as const satisfies Record<Specialty, string>;

export const accommodationLabels = {
  baby_friendly: 'baby-friendly',
  interpreter: 'interpreter',
  evening: 'evening',
  wheelchair: 'wheelchair-accessible',
} as const satisfies Record<Accommodation, string>;

const kindHeads = {
  group_seat: 'seat',
  outside_provider: 'provider',
  individual_appointment: 'in-network clinician',
} as const satisfies Record<OptionKind, string>;

const kindNone = {
  group_seat: 'no group seat on offer',
  outside_provider: 'no outside provider on offer',
  individual_appointment: 'no in-network clinician with time on offer',
} as const satisfies Record<OptionKind, string>;

/**
 * Why no target of one kind was a candidate, as the shape of the target the patient needed,
 * naming only the constraints that actually ruled targets out: "no baby-friendly perinatal seat
 * within 40 km", "no perinatal or PMH-C provider with capacity". The specialty is always named.
 */
export function kindReason(
  kind: OptionKind,
  rejected: readonly Rejection[],
  patient: DisplacedPatient,
  need: Specialty,
  params: CandidateParamsInput = {},
): string {
  const { maxTravelKm, hardAccommodations } = resolveParams(params);
  if (rejected.length === 0) return kindNone[kind];
  const failures = rejected.flatMap((rejection) => rejection.failed);
  const failed = new Set(failures.map((failure) => failure.constraint));
  const missing = new Set(failures.flatMap((failure) => failure.missing ?? []));

  const words: string[] = [];
  if (kind === 'group_seat' && failed.has('capacity')) words.push('open');
  for (const a of hardAccommodations) if (missing.has(a)) words.push(accommodationLabels[a]);
  if (failed.has('modality'))
    words.push(patient.needs.includes('telehealth_only') ? 'virtual' : 'in-person');
  const label = specialtyLabels[need];
  words.push(
    kind !== 'group_seat' && perinatalSpecialties.includes(need) ? `${label} or PMH-C` : label,
  );
  words.push(kindHeads[kind]);

  let text = `no ${words.join(' ')}`;
  if (failed.has('language')) text += ` in ${patient.language} or with an interpreter`;
  if (failed.has('distance')) text += ` within ${maxTravelKm} km`;
  if (failed.has('capacity') && kind === 'outside_provider') text += ' with capacity';
  if (failed.has('capacity') && kind === 'individual_appointment') text += ' with a free slot';
  if (failed.has('schedule')) text += " that fits the patient's schedule";
  return text;
}
