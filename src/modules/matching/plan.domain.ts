import { localDateOf, zonedTimeToUtc } from '../../shared/clock.ts';
import type { Accommodation, Specialty } from '../vocabulary/vocabulary.domain.ts';
import type { CostTerm } from './candidate-costs.domain.ts';
import { accommodationLabels, specialtyLabels } from './candidate-reasons.domain.ts';
import { plural, type OptionKind, type TimeSpan } from './candidate-targets.domain.ts';
import type { CandidateOption, PatientCandidates } from './candidates.domain.ts';
import { compareIds, riskTiers, type RiskTier } from './risk.domain.ts';
import {
  UNMATCHED,
  type MatchingInstance,
  type MatchingSolution,
} from './solver-instance.domain.ts';

/**
 * A re-match plan: the cohort's candidates made into one min-cost-flow instance, and the solver's
 * answer read back as one proposal per patient, each with its explanation, plus the summary and
 * the capacity shortfall.
 */

export const proposalOptions = ['group', 'outside_provider', 'individual', 'unmatched'] as const;
export type ProposalOption = (typeof proposalOptions)[number];

export const proposalDecisions = ['pending', 'approved', 'rejected', 'committed'] as const;
export type ProposalDecision = (typeof proposalDecisions)[number];

export const optionOfKind = {
  group_seat: 'group',
  outside_provider: 'outside_provider',
  individual_appointment: 'individual',
} as const satisfies Record<OptionKind, ProposalOption>;

/** One candidate as a proposal keeps it: enough to explain it and to swap it in. */
export interface ExplainedOption {
  optionId: string;
  option: ProposalOption;
  targetId: string;
  targetName: string;
  /** In cost units (the solver's integers ÷ the unit scale). */
  cost: number;
  mode: CandidateOption['mode'];
  firstSessionAt: string | null;
  equivalence: { score: number; via: string | null; rationale: string };
  terms: (Omit<CostTerm, 'cost'> & { cost: number })[];
  passed: string[];
}

export interface ProposalExplanation {
  need: Specialty | null;
  tier: RiskTier;
  weight: number;
  lostGroupIds: string[];
  serviceAreaId: string;
  /** Hard accommodations the patient requires (they shape the shortfall). */
  requires: Accommodation[];
  chosen: ExplainedOption | null;
  /** The other candidates, cheapest first (at most `keptAlternatives`). */
  alternatives: ExplainedOption[];
  candidateCount: number;
  unmatchedCost: number;
  /** In words: why this option, or why none. */
  summary: string;
  /** For each kind that gave no candidate, why. */
  kindReasons: Partial<Record<OptionKind, string>>;
}

export interface MatchProposal {
  id: string;
  runId: string;
  patientId: string;
  /** 0 is the highest risk. */
  rank: number;
  tier: RiskTier;
  option: ProposalOption;
  targetId: string | null;
  cost: number;
  explanation: ProposalExplanation;
  decision: ProposalDecision;
  conflict: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  committedEntity: 'enrollment' | 'referral' | 'appointment' | null;
  committedId: string | null;
  version: number;
}

export interface ShortfallLine {
  specialty: Specialty;
  serviceAreaId: string;
  serviceArea: string;
  accommodations: Accommodation[];
  /** Patients of this shape left without an equivalent place. */
  patients: number;
  /** The seats (or outside places) of this shape that would clear it. */
  seatsToClear: number;
  text: string;
}

export interface RunStats {
  patients: number;
  byOption: Record<ProposalOption, number>;
  byTier: Record<RiskTier, Record<ProposalOption, number>>;
  objective: number;
  optimal: boolean;
  edges: number;
  options: number;
  shortfall: ShortfallLine[];
  /** Patients of the disruption left out because an earlier run already placed them. */
  alreadyPlaced: number;
  /** Where the time went: reading, judging candidates, solving, explaining the answer. */
  timings: { loadMs: number; candidatesMs: number; solveMs: number; explainMs: number };
}

export interface MatchRun {
  id: string;
  disruptionId: string | null;
  params: Record<string, unknown>;
  stats: RunStats;
  createdAt: Date;
  createdBy: string;
  solveMs: number;
}

/** At most this many of a patient's cheapest candidates enter the solver. */
export const maxCandidatesPerPatient = 100;
/** A proposal keeps this many alternatives for review and swapping. */
export const keptAlternatives = 5;

export interface PlanInstance {
  instance: MatchingInstance;
  /** Option ids by solver index. */
  optionIds: string[];
  /** Each patient's candidates that entered the solver, cheapest first. */
  kept: CandidateOption[][];
}

/**
 * One instance for the whole cohort: patient i (in `cohort` order) has an edge to each of its
 * cheapest `maxCandidatesPerPatient` candidates. An option's capacity is the largest any of its
 * patients saw (a clinician's free slots differ per patient only by clashes, which the edges
 * already exclude). Options are indexed in id order, so the instance does not depend on the order
 * targets were loaded in.
 */
export function planInstance(cohort: readonly PatientCandidates[]): PlanInstance {
  const kept = cohort.map((c) => c.options.slice(0, maxCandidatesPerPatient));
  const capacity = new Map<string, number>();
  for (const list of kept)
    for (const o of list) capacity.set(o.id, Math.max(capacity.get(o.id) ?? 0, o.capacity));
  const optionIds = [...capacity.keys()].sort(compareIds);
  const index = new Map(optionIds.map((id, i) => [id, i]));
  const edges = kept.reduce((n, list) => n + list.length, 0);
  const edgeStart = new Int32Array(cohort.length + 1);
  const edgeOption = new Int32Array(edges);
  const edgeCost = new Float64Array(edges);
  let e = 0;
  kept.forEach((list, i) => {
    for (const o of list) {
      edgeOption[e] = index.get(o.id) ?? 0;
      edgeCost[e] = o.cost;
      e += 1;
    }
    edgeStart[i + 1] = e;
  });
  return {
    instance: {
      edgeStart,
      edgeOption,
      edgeCost,
      optionCapacity: Int32Array.from(optionIds, (id) => capacity.get(id) ?? 0),
      unmatchedCost: Float64Array.from(cohort, (c) => c.unmatchedCost),
    },
    optionIds,
    kept,
  };
}

export function explainOption(
  o: CandidateOption,
  nameOf: (kind: OptionKind, id: string) => string,
  unitScale: number,
): ExplainedOption {
  return {
    optionId: o.id,
    option: optionOfKind[o.kind],
    targetId: o.targetId,
    targetName: nameOf(o.kind, o.targetId),
    cost: o.cost / unitScale,
    mode: o.mode,
    firstSessionAt: o.firstSessionAt?.toISOString() ?? null,
    equivalence: {
      score: o.equivalence.score,
      via: o.equivalence.via,
      rationale: o.equivalence.rationale,
    },
    terms: o.terms.map((t) => ({ ...t, cost: t.cost / unitScale })),
    passed: o.passed,
  };
}

const optionWords = {
  group: 'a seat in',
  outside_provider: 'a referral to',
  individual: 'individual sessions with',
  unmatched: '',
} as const satisfies Record<ProposalOption, string>;

/** Facts about one patient the plan needs besides its candidates. */
export interface PlanPatient {
  serviceAreaId: string;
  lostGroupIds: string[];
  requires: Accommodation[];
}

export interface PlannedProposal {
  patientId: string;
  rank: number;
  tier: RiskTier;
  option: ProposalOption;
  targetId: string | null;
  cost: number;
  explanation: ProposalExplanation;
}

function emptyCounts(): Record<ProposalOption, number> {
  return { group: 0, outside_provider: 0, individual: 0, unmatched: 0 };
}

/**
 * Keeps what a plan needs of a patient's candidates: the cheapest `maxCandidatesPerPatient`, of
 * which only the first `keptAlternatives + 1` keep their explanation (terms and constraints in
 * words); the rest keep id, cost and capacity. No rejections. A region's cohort would not fit in
 * memory otherwise; `proposalsOf` asks for the explanation of a light option it chooses.
 */
export function lighten(c: PatientCandidates): PatientCandidates {
  return {
    ...c,
    options: c.options
      .slice(0, maxCandidatesPerPatient)
      .map((o, k) => (k <= keptAlternatives ? o : { ...o, terms: [], passed: [] })),
    rejections: [],
  };
}

/**
 * Reads the solver's answer back as proposals, in cohort (rank) order. `explained(i, option)`
 * gives the full explanation of a chosen option that `lighten` stripped (by judging that patient
 * again); without it, options are taken as they are.
 */
export function proposalsOf(
  cohort: readonly PatientCandidates[],
  patients: readonly PlanPatient[],
  plan: PlanInstance,
  solution: MatchingSolution,
  nameOf: (kind: OptionKind, id: string) => string,
  unitScale: number,
  explained: (i: number, option: CandidateOption) => CandidateOption = (_i, option) => option,
): PlannedProposal[] {
  return cohort.map((c, i) => {
    const patient = patients[i];
    if (!patient) throw new Error('every candidate list needs its patient');
    const list = plan.kept[i] ?? [];
    const placed = solution.assignment[i] ?? UNMATCHED;
    const found =
      placed === UNMATCHED ? undefined : list.find((o) => o.id === plan.optionIds[placed]);
    const chosen = found && found.passed.length === 0 ? explained(i, found) : found;
    const explain = (o: CandidateOption) => explainOption(o, nameOf, unitScale);
    const alternatives = c.options
      .filter((o) => o.id !== chosen?.id)
      .slice(0, keptAlternatives)
      .map(explain);
    let summary: string;
    if (chosen) {
      const cheapest = chosen.id === c.options[0]?.id;
      summary = `${optionWords[optionOfKind[chosen.kind]]} ${nameOf(chosen.kind, chosen.targetId)}: ${
        cheapest
          ? 'the best of its candidates'
          : 'its cheaper candidates went to patients at higher risk or with a closer fit'
      } (${plural(c.options.length, 'candidate', 'candidates')})`;
    } else if (c.noCandidateReason !== null) {
      summary = `unmatched: ${c.noCandidateReason}`;
    } else {
      summary = `unmatched: all ${plural(c.options.length, 'candidate was', 'candidates were')} filled by patients at higher risk or with a closer fit`;
    }
    return {
      patientId: c.patientId,
      rank: i,
      tier: c.tier,
      option: chosen ? optionOfKind[chosen.kind] : 'unmatched',
      targetId: chosen?.targetId ?? null,
      cost: (chosen ? chosen.cost : c.unmatchedCost) / unitScale,
      explanation: {
        need: c.need,
        tier: c.tier,
        weight: c.weight,
        lostGroupIds: patient.lostGroupIds,
        serviceAreaId: patient.serviceAreaId,
        requires: patient.requires,
        chosen: chosen ? explain(chosen) : null,
        alternatives,
        candidateCount: c.options.length,
        unmatchedCost: c.unmatchedCost / unitScale,
        summary,
        kindReasons: c.kindReasons,
      },
    };
  });
}

/** Counts by option and by tier × option. */
export function tallyProposals(proposals: readonly { tier: RiskTier; option: ProposalOption }[]): {
  byOption: Record<ProposalOption, number>;
  byTier: Record<RiskTier, Record<ProposalOption, number>>;
} {
  const byOption = emptyCounts();
  const byTier = Object.fromEntries(riskTiers.map((t) => [t, emptyCounts()])) as Record<
    RiskTier,
    Record<ProposalOption, number>
  >;
  for (const p of proposals) {
    byOption[p.option] += 1;
    byTier[p.tier][p.option] += 1;
  }
  return { byOption, byTier };
}

/**
 * The shortfall: patients left unmatched, by the shape of care they needed (specialty × service
 * area × required accommodations), largest first, each with the places that would clear it.
 */
export function shortfallOf(
  proposals: readonly PlannedProposal[],
  areaName: (id: string) => string,
): ShortfallLine[] {
  const lines = new Map<string, ShortfallLine>();
  for (const p of proposals) {
    const need = p.explanation.need;
    if (p.option !== 'unmatched' || need === null) continue;
    const accommodations = [...p.explanation.requires].sort();
    const key = `${need}|${p.explanation.serviceAreaId}|${accommodations.join(',')}`;
    const line = lines.get(key) ?? {
      specialty: need,
      serviceAreaId: p.explanation.serviceAreaId,
      serviceArea: areaName(p.explanation.serviceAreaId),
      accommodations,
      patients: 0,
      seatsToClear: 0,
      text: '',
    };
    line.patients += 1;
    line.seatsToClear += 1;
    lines.set(key, line);
  }
  return [...lines.values()]
    .map((line) => {
      const shape = [
        ...line.accommodations.map((a) => accommodationLabels[a]),
        specialtyLabels[line.specialty],
      ].join(' ');
      return {
        ...line,
        text: `${line.serviceArea}, ${shape}: ${plural(line.patients, 'patient', 'patients')} without an equivalent place; ${plural(line.seatsToClear, `more ${shape} seat or outside place`, `more ${shape} seats or outside places`)} within reach would clear it`,
      };
    })
    .sort(
      (a, b) =>
        b.patients - a.patients ||
        compareIds(
          `${a.serviceArea}|${a.specialty}|${a.accommodations.join(',')}`,
          `${b.serviceArea}|${b.specialty}|${b.accommodations.join(',')}`,
        ),
    );
}

/** Individual slots an in-network clinician keeps for displaced patients, per FTE per week. */
export const individualSlotsPerFteWeek = 2;
/** Their local start hours, alternating day by day; each lasts an hour. */
const slotHours = [13, 15] as const;

/**
 * The free individual slots of a clinician over the next two weeks (ten business days after
 * today, weekdays in the organization's time zone): `individualSlotsPerFteWeek` × FTE a week,
 * rounded, on the first days of each week, less those a booked appointment already starts at.
 */
export function individualSlots(
  now: Date,
  fte: number,
  booked: readonly Date[],
  timeZone: string,
): TimeSpan[] {
  const perWeek = Math.round(individualSlotsPerFteWeek * fte);
  const taken = new Set(booked.map((b) => b.getTime()));
  const day = new Date(`${localDateOf(now, timeZone)}T00:00:00Z`);
  const slots: TimeSpan[] = [];
  for (let week = 0; week < 2; week++) {
    let made = 0;
    for (let weekday = 0; weekday < 5;) {
      day.setUTCDate(day.getUTCDate() + 1);
      if (day.getUTCDay() === 0 || day.getUTCDay() === 6) continue;
      weekday += 1;
      if (made >= perWeek) continue;
      const startsAt = zonedTimeToUtc(
        {
          year: day.getUTCFullYear(),
          month: day.getUTCMonth() + 1,
          day: day.getUTCDate(),
          hour: slotHours[(weekday + week) % slotHours.length] ?? 13,
          minute: 0,
          second: 0,
        },
        timeZone,
      );
      made += 1;
      if (!taken.has(startsAt.getTime()))
        slots.push({ startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000) });
    }
  }
  return slots;
}
