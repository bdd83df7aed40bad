import type { Accommodation, Specialty } from '../vocabulary/vocabulary.domain.ts';
import { indexTargets, targetsFor } from './candidate-index.domain.ts';
import { resolveParams } from './candidate-params.domain.ts';
import type {
  AppointmentTarget,
  CandidateTargets,
  DisplacedPatient,
  GroupSeatTarget,
  OptionKind,
  OutsideProviderTarget,
} from './candidate-targets.domain.ts';
import {
  candidatesFor,
  type CandidateOption,
  type PatientCandidates,
} from './candidates.domain.ts';
import type { EquivalenceMatrix } from './equivalence.domain.ts';
import {
  lighten,
  planInstance,
  proposalsOf,
  shortfallOf,
  tallyProposals,
  type PlannedProposal,
  type RunStats,
} from './plan.domain.ts';
import { solveMatching } from './solver.domain.ts';

/*
 * The CPU-heavy middle of a re-match, as one pure function of plain data: judging every displaced
 * patient's candidates, solving the cohort's min-cost flow and explaining the answer. Its input
 * and output are structured-clone safe (plain objects, arrays, Maps, Sets and Dates; no functions,
 * no class instances), so it runs in a worker thread (plan-cohort.worker.ts) while the API keeps
 * answering; the loading before it and the write after it stay in matching.service.ts.
 */

type Named<T> = T & { name: string };

/** One patient to plan, in rank order (highest risk first). */
export interface CohortPlanPatient {
  /** The patient as candidate generation sees it, with `busy` and `lostGroup` filled in. */
  patient: DisplacedPatient;
  /** The specialty of the care lost (the lost group's). */
  need: Specialty;
  serviceAreaId: string;
  lostGroupIds: string[];
}

export interface CohortPlanInput {
  patients: CohortPlanPatient[];
  targets: {
    groupSeats: Named<GroupSeatTarget>[];
    outsideProviders: Named<OutsideProviderTarget>[];
    appointments: Named<AppointmentTarget>[];
  };
  /** Outside providers whose referral for the patient already failed, by patient id. */
  excluded: ReadonlyMap<string, ReadonlySet<string>>;
  /** What the coordinator tuned, and the organization's equivalence matrix. */
  params: {
    maxTravelKm: number | undefined;
    equivalenceFloor: number | undefined;
    matrix: EquivalenceMatrix;
  };
  /** Service area names by id, for the shortfall lines. */
  serviceAreaNames: ReadonlyMap<string, string>;
  now: Date;
}

export interface CohortPlan {
  /** One per patient, in the input's order. */
  proposals: PlannedProposal[];
  stats: Omit<RunStats, 'alreadyPlaced' | 'timings'>;
  /** Where the time went, from `tick` (0 without one). */
  timings: Omit<RunStats['timings'], 'loadMs'>;
}

/** Drops the outside providers whose referral for this patient already failed. */
function withoutFailed(
  candidates: PatientCandidates,
  providers: ReadonlySet<string> | undefined,
): PatientCandidates {
  if (providers === undefined) return candidates;
  const options = candidates.options.filter(
    (o) => !(o.kind === 'outside_provider' && providers.has(o.targetId)),
  );
  return {
    ...candidates,
    options,
    noCandidateReason:
      options.length === 0
        ? (candidates.noCandidateReason ??
          'every candidate was an outside provider whose referral for the patient failed')
        : null,
  };
}

/**
 * Plans a cohort: candidates for each patient, one exact min-cost flow over the whole cohort
 * (its optimality checked against its own duals), and one proposal per patient, in input order.
 * `tick` reads a monotonic clock for the stage timings; it is the only thing not pure here.
 */
export function planCohort(input: CohortPlanInput, tick: () => number = () => 0): CohortPlan {
  const started = tick();
  const { now, targets, excluded } = input;
  const params = resolveParams(input.params);
  const names = new Map<string, string>();
  for (const t of [...targets.groupSeats, ...targets.outsideProviders, ...targets.appointments])
    names.set(t.id, t.name);
  const nameOf = (_kind: OptionKind, id: string) => names.get(id) ?? id;
  const byId = {
    group_seat: new Map(targets.groupSeats.map((t) => [t.id, t])),
    outside_provider: new Map(targets.outsideProviders.map((t) => [t.id, t])),
    individual_appointment: new Map(targets.appointments.map((t) => [t.id, t])),
  };
  const only = (option: CandidateOption): CandidateTargets => {
    const group = option.kind === 'group_seat' ? byId.group_seat.get(option.targetId) : undefined;
    const provider =
      option.kind === 'outside_provider' ? byId.outside_provider.get(option.targetId) : undefined;
    const clinician =
      option.kind === 'individual_appointment'
        ? byId.individual_appointment.get(option.targetId)
        : undefined;
    return {
      groupSeats: group ? [group] : [],
      outsideProviders: provider ? [provider] : [],
      appointments: clinician ? [clinician] : [],
    };
  };
  const index = indexTargets(
    {
      groupSeats: targets.groupSeats,
      outsideProviders: targets.outsideProviders,
      appointments: targets.appointments,
    },
    params,
  );

  const planned = input.patients.map(({ patient, need, serviceAreaId, lostGroupIds }) => {
    // Judging one target again is cheap: it explains a chosen option `lighten` stripped.
    const explain = (option: CandidateOption) =>
      candidatesFor(patient, only(option), now, params).options[0] ?? option;
    return {
      explain,
      candidates: lighten(
        withoutFailed(
          candidatesFor(patient, targetsFor(index, need, patient), now, params),
          excluded.get(patient.id),
        ),
      ),
      patient: {
        serviceAreaId,
        lostGroupIds,
        requires: patient.needs.filter((n): n is Accommodation =>
          (params.hardAccommodations as readonly string[]).includes(n),
        ),
      },
    };
  });
  const candidates = planned.map((x) => x.candidates);
  const plan = planInstance(candidates);
  const judged = tick();
  const solution = solveMatching(plan.instance, { debug: true });
  const solved = tick();
  const proposals = proposalsOf(
    candidates,
    planned.map((x) => x.patient),
    plan,
    solution,
    nameOf,
    params.unitScale,
    (i, option) => planned[i]?.explain(option) ?? option,
  );
  const areaName = (id: string) => input.serviceAreaNames.get(id) ?? id;
  const stats = {
    patients: proposals.length,
    ...tallyProposals(proposals),
    objective: solution.objective / params.unitScale,
    optimal: true,
    edges: plan.instance.edgeOption.length,
    options: plan.optionIds.length,
    shortfall: shortfallOf(proposals, areaName),
  };
  return {
    proposals,
    stats,
    timings: {
      candidatesMs: Math.round(judged - started),
      solveMs: Math.round(solved - judged),
      explainMs: Math.round(tick() - solved),
    },
  };
}
