import type { ShortfallLine, ProposalOption, ProposalDecision } from '../matching/plan.domain.ts';
import type { RiskTier } from '../matching/risk.domain.ts';
import type { Disruption, DisplacedStandard, Impact } from '../disruptions/disruptions.domain.ts';
import type { HistoryEntry, ReferralStatus } from '../referrals/referrals.domain.ts';
import type { Rate as GrievanceRate } from '../grievances/grievances.domain.ts';
import type { Standard } from '../timely-access/rules.domain.ts';
import { businessDaysBetween, type BusinessCalendar } from '../timely-access/calendar.domain.ts';
import type { Specialty } from '../vocabulary/vocabulary.domain.ts';
import { deidentifyTable, type ReportTable } from './report-table.domain.ts';
import {
  iso,
  reportTables,
  type Edition,
  type PlacementKind,
  type Verdict,
  type WaitingReason,
} from './disruption-report-tables.domain.ts';

/*
 * The disruption continuity report (issue 10): what happened to the patients a disruption
 * displaced, as of a given instant. Everything here is pure: the repository reads the rows, this
 * file decides what each patient's outcome was and lays the figures out as tables, each with its
 * numerator, denominator and definition.
 */

export {
  editions,
  placementKinds,
  waitingReasons,
  type Edition,
  type PlacementKind,
  type Verdict,
  type WaitingReason,
} from './disruption-report-tables.domain.ts';

/** A committed re-match proposal for a displaced patient, as the repository reads it. */
export interface PlacementRow {
  patientId: string;
  option: Exclude<ProposalOption, 'unmatched'>;
  targetName: string;
  /** When the enrollment, referral or appointment was created. */
  createdAt: Date;
  referral: { acceptedAt: Date | null; history: HistoryEntry[] } | null;
  /** The appointment's status today (its cancellation time is not recorded). */
  appointmentStatus: string | null;
}

/** A patient's proposal in the latest re-match run of the disruption made by the report's time. */
export interface LatestProposal {
  option: ProposalOption;
  decision: ProposalDecision;
}

/** The status a referral had at `at`, from its stamped history (draft before its first move). */
export function referralStatusAt(history: readonly HistoryEntry[], at: Date): ReferralStatus {
  let status: ReferralStatus = 'draft';
  let latest = Number.NEGATIVE_INFINITY;
  for (const entry of history) {
    const time = new Date(entry.at).getTime();
    if (time <= at.getTime() && time >= latest) {
      latest = time;
      status = entry.to;
    }
  }
  return status;
}

/**
 * Whether a committed proposal had placed the patient by `asOf`, and since when. A group seat
 * places the patient when the enrollment is made; an individual visit when it is booked (unless
 * cancelled since); an outside provider when it accepts the referral, as long as the referral had
 * not failed by then. A referral made but not yet accepted is `pending`.
 */
export function placementAt(row: PlacementRow, asOf: Date): { placedAt: Date } | 'pending' | null {
  if (row.createdAt > asOf) return null;
  switch (row.option) {
    case 'group':
      return { placedAt: row.createdAt };
    case 'individual':
      return row.appointmentStatus === 'cancelled' ? null : { placedAt: row.createdAt };
    case 'outside_provider': {
      const status = referralStatusAt(row.referral?.history ?? [], asOf);
      const acceptedAt = row.referral?.acceptedAt ?? null;
      if (
        ['accepted', 'scheduled', 'completed'].includes(status) &&
        acceptedAt &&
        acceptedAt <= asOf
      )
        return { placedAt: acceptedAt };
      return status === 'draft' || status === 'sent' ? 'pending' : null;
    }
  }
}

export interface PatientOutcome {
  patientId: string;
  mrn: string;
  name: string;
  serviceAreaId: string;
  tier: RiskTier;
  need: Specialty;
  deadline: { standard: DisplacedStandard; dueBefore: Date };
  placement: { kind: PlacementKind; targetName: string; placedAt: Date } | null;
  waiting: WaitingReason | null;
  firstVisitAt: Date | null;
  businessDaysToPlacement: number | null;
  businessDaysToFirstVisit: number | null;
  verdict: Verdict;
}

/**
 * Each displaced patient's outcome as of `asOf`: the earliest placement that held, else why they
 * wait; the first attended visit after the displacement; business days from the displacement to
 * each; and whether the first visit came before the deadline the patient had when displaced
 * (met), had not by a deadline now past (missed), or may still (pending).
 */
export function patientOutcomes(input: {
  impact: Impact;
  placements: readonly PlacementRow[];
  latest: ReadonlyMap<string, LatestProposal>;
  firstVisits: ReadonlyMap<string, Date>;
  asOf: Date;
  calendar: BusinessCalendar;
}): PatientOutcome[] {
  const { impact, asOf, calendar } = input;
  const byPatient = new Map<string, PlacementRow[]>();
  for (const row of input.placements) {
    const list = byPatient.get(row.patientId) ?? [];
    list.push(row);
    byPatient.set(row.patientId, list);
  }
  const displacedAt = impact.displacedAt;
  return impact.patients.map((p) => {
    let placement: PatientOutcome['placement'] = null;
    let pending = false;
    for (const row of byPatient.get(p.patientId) ?? []) {
      const state = placementAt(row, asOf);
      if (state === 'pending') pending = true;
      else if (state && (placement === null || state.placedAt < placement.placedAt))
        placement = { kind: row.option, targetName: row.targetName, placedAt: state.placedAt };
    }
    const latest = input.latest.get(p.patientId);
    const waiting: WaitingReason | null =
      placement !== null
        ? null
        : pending
          ? 'referral_pending'
          : latest === undefined
            ? 'not_rematched'
            : latest.option === 'unmatched'
              ? 'no_equivalent_place'
              : 'planned';
    const visit = input.firstVisits.get(p.patientId) ?? null;
    const firstVisitAt = visit !== null && visit <= asOf ? visit : null;
    const verdict: Verdict =
      firstVisitAt !== null && firstVisitAt < p.deadline.dueBefore
        ? 'met'
        : p.deadline.dueBefore <= asOf
          ? 'missed'
          : 'pending';
    return {
      patientId: p.patientId,
      mrn: p.mrn,
      name: p.name,
      serviceAreaId: p.serviceAreaId,
      tier: p.tier,
      need: p.need,
      deadline: p.deadline,
      placement,
      waiting,
      firstVisitAt,
      businessDaysToPlacement:
        placement && businessDaysBetween(calendar, displacedAt, placement.placedAt),
      businessDaysToFirstVisit:
        firstVisitAt && businessDaysBetween(calendar, displacedAt, firstVisitAt),
      verdict,
    };
  });
}

/** Counts of verdicts for one timely-access standard (timely-access.repository's StandardCounts). */
export interface StandardCounts {
  standard: Standard;
  met: number;
  missed: number;
  excepted: number;
  pending: number;
}

/** Everything the tables are laid out from. */
export interface DisruptionReportInput {
  disruption: Disruption;
  asOf: Date;
  /** The period measured: the disruption's window, cut at `asOf`. */
  period: { from: Date; to: Date };
  /** The same length of time just before the disruption: the baseline. */
  baseline: { from: Date; to: Date };
  applied: boolean;
  impact: Impact;
  outcomes: readonly PatientOutcome[];
  serviceAreas: ReadonlyMap<string, { code: string; name: string }>;
  timelyAccess: { during: readonly StandardCounts[]; before: readonly StandardCounts[] };
  standardDefinitions: Record<Standard, string>;
  referrals: {
    sent: number;
    accepted: number;
    completed: number;
    completedInTime: number;
    medianBusinessDays: number | null;
  };
  grievances: { all: readonly GrievanceRate[]; disruptionRelated: readonly GrievanceRate[] };
  shortfall: { runId: string; runAt: Date; lines: readonly ShortfallLine[] } | null;
}

export interface DisruptionReport {
  kind: 'disruption-continuity';
  edition: Edition;
  disruption: {
    id: string;
    kind: string;
    title: string;
    status: string;
    startsOn: string;
    endsOn: string | null;
    appliedAt: string | null;
    endedAt: string | null;
    scope: { clinicians: number; locations: number; groups: number; serviceAreas: number };
  };
  asOf: string;
  period: { from: string; to: string };
  baseline: { from: string; to: string };
  /** False when the disruption had not been applied by the report time: nothing was cancelled. */
  applied: boolean;
  minimumCellSize: number;
  tables: ReportTable[];
}

/**
 * The report's tables, in reading order. The full edition has every cell and a row per patient;
 * the de-identified edition has no patient list and suppresses small cells.
 */
export function disruptionReport(
  input: DisruptionReportInput,
  edition: Edition,
  minimumCellSize: number,
): DisruptionReport {
  const { disruption: d } = input;
  const tables = reportTables(input, edition);
  return {
    kind: 'disruption-continuity',
    edition,
    disruption: {
      id: d.id,
      kind: d.kind,
      title: d.title,
      status: d.status,
      startsOn: d.startsOn,
      endsOn: d.endsOn,
      appliedAt: iso(d.appliedAt),
      endedAt: iso(d.endedAt),
      scope: {
        clinicians: d.scope.clinicianIds.length,
        locations: d.scope.locationIds.length,
        groups: d.scope.groupIds.length,
        serviceAreas: d.scope.serviceAreaIds.length,
      },
    },
    asOf: input.asOf.toISOString(),
    period: { from: input.period.from.toISOString(), to: input.period.to.toISOString() },
    baseline: { from: input.baseline.from.toISOString(), to: input.baseline.to.toISOString() },
    applied: input.applied,
    minimumCellSize,
    tables: edition === 'full' ? tables : tables.map(deidentifyTable),
  };
}
