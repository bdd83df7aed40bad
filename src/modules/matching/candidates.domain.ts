import type { Accommodation, Need, Specialty } from '../vocabulary/vocabulary.domain.ts';
import {
  haversineKm,
  resolveParams,
  type CandidateParams,
  type CandidateParamsInput,
  unmatchedCost,
} from './candidate-params.domain.ts';
import { price, type CostTerm } from './candidate-costs.domain.ts';
import {
  accommodationLabels,
  kindReason,
  type ConstraintFailure,
  type HardConstraint,
  type Rejection,
} from './candidate-reasons.domain.ts';
import {
  appointmentOffer,
  groupOffer,
  needOf,
  optionKinds,
  providerOffer,
  type CandidateTargets,
  type CareMode,
  type DisplacedPatient,
  type Offer,
  type OptionKind,
} from './candidate-targets.domain.ts';
import type { Equivalence } from './equivalence.domain.ts';
import { compareIds, rankByRisk, riskTier, riskWeight, type RiskTier } from './risk.domain.ts';

/**
 * Candidate options for a displaced patient (DESIGN.md, "Re-matching: the model"): every target
 * that passes every hard constraint, priced with integer cost terms for the solver, each with its
 * explanation. Targets that fail are kept as rejections, and a patient left with no candidate gets
 * a reason in words. The pieces: candidate-targets (inputs), candidate-params (limits, weights),
 * candidate-costs (the terms), candidate-reasons (constraints and reasons in words).
 */

export interface CandidateOption {
  /** `${kind}:${targetId}`: unique per target, and the capacity it draws on. */
  id: string;
  patientId: string;
  kind: OptionKind;
  targetId: string;
  /** Seats, weekly places or free slots this target has for all patients together. */
  capacity: number;
  mode: CareMode;
  /** The first session or visit; null when an outside provider gave no date. */
  firstSessionAt: Date | null;
  equivalence: Equivalence;
  /** The sum of the terms' costs. */
  cost: number;
  /** Every cost term, in `costTerms` order. */
  terms: CostTerm[];
  /** Every hard constraint, in words, as this option passed it. */
  passed: string[];
}

export interface PatientCandidates {
  patientId: string;
  need: Specialty | null;
  tier: RiskTier;
  weight: number;
  /** Cheapest first, then by id. */
  options: CandidateOption[];
  unmatchedCost: number;
  rejections: Rejection[];
  /** For each kind that gave no option, why, in words. */
  kindReasons: Partial<Record<OptionKind, string>>;
  /** Why the patient has no candidate at all; null when there is one. */
  noCandidateReason: string | null;
}

function patientModes(needs: readonly Need[]): CareMode[] {
  const telehealth = needs.includes('telehealth_only');
  const inPerson = needs.includes('in_person_only');
  if (telehealth && inPerson) return [];
  if (telehealth) return ['virtual'];
  if (inPerson) return ['in_person'];
  return ['virtual', 'in_person'];
}

function modalityProblem(patient: DisplacedPatient, offer: Offer): string {
  const offered = offer.modes.map((mode) => (mode === 'virtual' ? 'virtual' : 'in person'));
  const needs = patient.needs;
  if (needs.includes('telehealth_only') && needs.includes('in_person_only'))
    return 'the patient is marked both telehealth-only and in-person-only';
  const wanted = needs.includes('telehealth_only') ? 'telehealth only' : 'in-person care only';
  return `offered ${offered.join(' or ')}; the patient needs ${wanted}`;
}

interface Verdict {
  failed: ConstraintFailure[];
  passed: string[];
  mode: CareMode | null;
  km: number;
}

/** Checks every hard constraint, so a rejection lists all it broke. */
function judge(
  patient: DisplacedPatient,
  need: Specialty,
  offer: Offer,
  params: CandidateParams,
): Verdict {
  const failed: ConstraintFailure[] = [];
  // Most targets fail something: the words for what they passed are written only for those that
  // pass everything (a region judges millions of pairs).
  const passes: (() => string)[] = [];
  const pass = (words: () => string) => passes.push(words);
  const fail = (constraint: HardConstraint, detail: string, missing?: Accommodation[]) =>
    failed.push({ constraint, detail, missing });

  const eq = offer.equivalence;
  const scored = () =>
    `${eq.via === 'pmh_c' ? 'PMH-C' : (eq.via ?? 'nothing')} scores ${eq.score.toFixed(2)} for ${need}`;
  if (eq.score < params.equivalenceFloor)
    fail(
      'specialty',
      `${scored()}, below the ${params.equivalenceFloor.toFixed(2)} floor: ${eq.rationale}`,
    );
  else
    pass(
      () => `specialty: ${scored()} (floor ${params.equivalenceFloor.toFixed(2)}): ${eq.rationale}`,
    );

  if (offer.languages.includes(patient.language))
    pass(() => `language: offered in ${patient.language}, the patient's language`);
  else if (offer.accommodations.includes('interpreter'))
    pass(() => `language: an interpreter for ${patient.language}`);
  else
    fail(
      'language',
      `offered in ${offer.languages.join(', ') || 'no listed language'}, not ${patient.language}, and no interpreter`,
    );

  const allowed = patientModes(patient.needs).filter((mode) => offer.modes.includes(mode));
  const km = haversineKm(patient, offer);
  const reachable = allowed.filter((mode) => mode === 'virtual' || km <= params.maxTravelKm);
  const mode = reachable[0] ?? null;
  if (allowed.length === 0) fail('modality', modalityProblem(patient, offer));
  else if (mode !== null) {
    const why = patient.needs.includes('telehealth_only')
      ? ', as the patient needs telehealth'
      : patient.needs.includes('in_person_only')
        ? ', as the patient needs in-person care'
        : '';
    pass(() => `modality: ${mode === 'virtual' ? 'virtual' : 'in person'}${why}`);
  }
  if (allowed.length > 0 && mode === null)
    fail('distance', `${km.toFixed(1)} km away, beyond the ${params.maxTravelKm} km limit`);
  else if (mode === 'virtual') pass(() => 'distance: virtual care, no travel');
  else if (mode === 'in_person')
    pass(() => `distance: ${km.toFixed(1)} km, within ${params.maxTravelKm} km`);

  // Wheelchair access matters only where the patient travels; undecided means in person.
  const required = params.hardAccommodations.filter(
    (a) => patient.needs.includes(a) && !(a === 'wheelchair' && mode === 'virtual'),
  );
  const missing = required.filter((a) => !offer.accommodations.includes(a));
  const labels = (list: readonly Accommodation[]) =>
    list.map((a) => accommodationLabels[a]).join(', ');
  if (missing.length > 0) fail('accommodations', `not ${labels(missing)}`, missing);
  else
    pass(() =>
      required.length > 0
        ? `accommodations: ${labels(required)}, as required`
        : 'accommodations: none required',
    );

  if (offer.capacity > 0) pass(() => `capacity: ${offer.capacityText()}`);
  else fail('capacity', offer.capacityText());

  if (offer.scheduleProblem !== null) fail('schedule', offer.scheduleProblem);
  else pass(() => `schedule: ${offer.scheduleText()}`);

  return { failed, passed: failed.length === 0 ? passes.map((words) => words()) : [], mode, km };
}

function compareOptions(a: CandidateOption, b: CandidateOption): number {
  return a.cost - b.cost || compareIds(a.id, b.id);
}

/**
 * Every candidate option for one displaced patient at `now`, cheapest first (then by id), with
 * the rejected targets and, when none passes, the reason in words. The lost group itself is
 * never offered back.
 */
export function candidatesFor(
  patient: DisplacedPatient,
  targets: CandidateTargets,
  now: Date,
  input: CandidateParamsInput = {},
): PatientCandidates {
  const params = resolveParams(input);
  const tier = riskTier(patient, now);
  const weight = riskWeight(tier);
  const need = needOf(patient);
  const base = {
    patientId: patient.id,
    need,
    tier,
    weight,
    unmatchedCost: unmatchedCost(weight, params),
  };
  if (need === null)
    return {
      ...base,
      options: [],
      rejections: [],
      kindReasons: {},
      noCandidateReason: 'no specialty on record to match against',
    };

  const offers: Offer[] = [
    ...targets.groupSeats
      .filter((group) => group.id !== patient.lostGroup?.id)
      .map((group) => groupOffer(group, patient, need, params)),
    ...targets.outsideProviders.map((provider) => providerOffer(provider, need, params)),
    ...targets.appointments.map((clinician) => appointmentOffer(clinician, patient, need, params)),
  ];

  const options: CandidateOption[] = [];
  const rejections: Rejection[] = [];
  for (const offer of offers) {
    const verdict = judge(patient, need, offer, params);
    if (verdict.failed.length > 0 || verdict.mode === null) {
      rejections.push({ kind: offer.kind, targetId: offer.id, failed: verdict.failed });
      continue;
    }
    const terms = price(patient, offer, verdict.mode, verdict.km, weight, now, params);
    options.push({
      id: `${offer.kind}:${offer.id}`,
      patientId: patient.id,
      kind: offer.kind,
      targetId: offer.id,
      capacity: offer.capacity,
      mode: verdict.mode,
      firstSessionAt: offer.firstSessionAt,
      equivalence: offer.equivalence,
      cost: terms.reduce((sum, t) => sum + t.cost, 0),
      terms,
      passed: verdict.passed,
    });
  }
  options.sort(compareOptions);
  rejections.sort((a, b) => compareIds(`${a.kind}:${a.targetId}`, `${b.kind}:${b.targetId}`));

  const kindReasons: Partial<Record<OptionKind, string>> = {};
  for (const kind of optionKinds)
    if (!options.some((option) => option.kind === kind))
      kindReasons[kind] = kindReason(
        kind,
        rejections.filter((rejection) => rejection.kind === kind),
        patient,
        need,
        params,
      );
  const noCandidateReason =
    options.length === 0 ? optionKinds.map((kind) => kindReasons[kind]).join('; ') : null;
  return { ...base, options, rejections, kindReasons, noCandidateReason };
}

/** Candidates for a whole displaced cohort, in queue order (rankByRisk: worst first). */
export function cohortCandidates(
  patients: readonly DisplacedPatient[],
  targets: CandidateTargets,
  now: Date,
  input: CandidateParamsInput = {},
): PatientCandidates[] {
  const params = resolveParams(input);
  const ranked = rankByRisk(
    patients.map((patient) => ({ ...patient, lastCareAt: patient.lastCareAt ?? null })),
    now,
  );
  return ranked.map((entry) => candidatesFor(entry.patient, targets, now, params));
}
