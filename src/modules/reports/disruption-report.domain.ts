import type { ShortfallLine, ProposalOption, ProposalDecision } from '../matching/plan.domain.ts';
import { accommodationLabels, specialtyLabels } from '../matching/candidate-reasons.domain.ts';
import type { RiskTier } from '../matching/risk.domain.ts';
import { riskTiers } from '../matching/risk.domain.ts';
import type { Disruption, DisplacedStandard, Impact } from '../disruptions/disruptions.domain.ts';
import type { HistoryEntry, ReferralStatus } from '../referrals/referrals.domain.ts';
import type { Rate as GrievanceRate } from '../grievances/grievances.domain.ts';
import { standards, type Standard } from '../timely-access/rules.domain.ts';
import { businessDaysBetween, type BusinessCalendar } from '../timely-access/calendar.domain.ts';
import type { Specialty } from '../vocabulary/vocabulary.domain.ts';
import { deidentifyTable, median, withRates, type ReportTable } from './report-table.domain.ts';

/*
 * The disruption continuity report (issue 10): what happened to the patients a disruption
 * displaced, as of a given instant. Everything here is pure: the repository reads the rows, this
 * file decides what each patient's outcome was and lays the figures out as tables, each with its
 * numerator, denominator and definition.
 */

export const editions = ['full', 'deidentified'] as const;
export type Edition = (typeof editions)[number];

export const placementKinds = ['group', 'outside_provider', 'individual'] as const;
export type PlacementKind = (typeof placementKinds)[number];

/** Why a displaced patient is not placed yet, as of the report. */
export const waitingReasons = [
  'referral_pending',
  'planned',
  'no_equivalent_place',
  'not_rematched',
] as const;
export type WaitingReason = (typeof waitingReasons)[number];

export type Verdict = 'met' | 'missed' | 'pending';

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

const tierLabels = {
  urgent: 'Urgent: perinatal psychosis risk (48-hour standard)',
  recent_discharge: 'Discharged from a psychiatric stay in the last 30 days',
  high: 'High risk (suicide risk screen)',
  perinatal: 'Perinatal',
  standard: 'Standard',
} as const satisfies Record<RiskTier, string>;

const placementLabels = {
  group: 'Equivalent therapy group',
  outside_provider: 'Outside provider (referral accepted)',
  individual: 'Individual appointment, in network',
} as const satisfies Record<PlacementKind, string>;

const waitingLabels = {
  referral_pending: 'Not yet: referral sent, awaiting the provider',
  planned: 'Not yet: in a re-match plan not committed',
  no_equivalent_place: 'Not yet: no equivalent place with room',
  not_rematched: 'Not yet: not in any re-match plan',
} as const satisfies Record<WaitingReason, string>;

const deadlineLabels = {
  urgent_48_hours: 'Urgent: seen within 48 hours of the displacement',
  fuh_7_days: 'After a psychiatric discharge: seen within 7 days (HEDIS FUH)',
  fuh_30_days: 'After a psychiatric discharge: seen within 30 days (HEDIS FUH)',
  follow_up_10_business_days:
    'In a course of treatment: seen within 10 weekdays of the last visit (SB 221)',
} as const satisfies Record<DisplacedStandard, string>;

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());
const label = (specialty: Specialty): string => specialtyLabels[specialty];

function tally<K extends string>(keys: readonly K[]): Map<K, number> {
  const counts = new Map<K, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** Rows of one count per key, largest first, then by label: the same order every time. */
function countRows<K extends string>(
  counts: Map<K, number>,
  labelOf: (key: K) => string,
): { key: K; label: string; patients: number }[] {
  return [...counts]
    .map(([key, patients]) => ({ key, label: labelOf(key), patients }))
    .sort((a, b) => b.patients - a.patients || a.label.localeCompare(b.label));
}

const displacedDefinition =
  'Displaced: enrolled in a therapy group the disruption cancelled sessions of (active, or ended on or after its first day), not on a waiting list.';

function summaryTable(input: DisruptionReportInput): ReportTable {
  const o = input.outcomes;
  const displaced = o.length;
  const placed = o.filter((p) => p.placement !== null).length;
  const seen = o.filter((p) => p.firstVisitAt !== null).length;
  const met = o.filter((p) => p.verdict === 'met').length;
  const missed = o.filter((p) => p.verdict === 'missed').length;
  const related = input.grievances.disruptionRelated.find((r) => r.unit.startsWith('share'));
  const rows = [
    {
      figure: 'Patients displaced',
      numerator: displaced,
      denominator: null,
      definition: displacedDefinition,
    },
    {
      figure: 'Placed in care',
      numerator: placed,
      denominator: displaced,
      definition:
        'Displaced patients placed by the report time: in an equivalent group, with an outside provider that accepted the referral, or in an individual appointment.',
    },
    {
      figure: 'Seen since the displacement',
      numerator: seen,
      denominator: displaced,
      definition:
        'Displaced patients with an attended session or visit after the displacement, by the report time.',
    },
    {
      figure: 'Seen before their deadline',
      numerator: met,
      denominator: met + missed,
      definition:
        'Patients first seen before the deadline they had when displaced, of those whose deadline has passed or who were seen (a patient still inside their deadline is counted apart, as pending).',
    },
    {
      figure: 'Waited past their deadline',
      numerator: missed,
      denominator: met + missed,
      definition:
        'Patients not seen by the deadline they had when displaced, of those whose deadline has passed or who were seen.',
    },
    {
      figure: 'Still without a placement',
      numerator: displaced - placed,
      denominator: displaced,
      definition: 'Displaced patients with no placement by the report time.',
    },
    {
      figure: 'Grievances about the disruption',
      numerator: related?.numerator ?? 0,
      denominator: displaced,
      definition:
        'Grievances recorded as related to this disruption and received in the period, as a share of the displaced patients.',
    },
  ];
  return withRates({
    id: 'summary',
    title: 'Key figures',
    definition: `Each figure over its denominator, as of the report time. ${displacedDefinition}`,
    columns: [
      { key: 'figure', label: 'Figure', kind: 'text' },
      { key: 'numerator', label: 'Numerator', kind: 'patients' },
      { key: 'denominator', label: 'Denominator', kind: 'patients' },
      { key: 'rate', label: 'Rate', kind: 'rate', of: ['numerator', 'denominator'] },
      { key: 'definition', label: 'Definition', kind: 'text' },
    ],
    rows,
    partitions: [{ parts: ['numerator'], whole: 'denominator', rest: true }],
  });
}

function sessionsTable(input: DisruptionReportInput): ReportTable {
  const rows = input.impact.sessions.groups.map((g) => {
    const cancelled = g.sessions.filter((s) => s.cancelled);
    return {
      group: g.name,
      specialty: label(g.specialty),
      serviceArea: input.serviceAreas.get(g.serviceAreaId)?.name ?? '',
      cancelled: cancelled.length,
      first: iso(cancelled[0]?.startsAt ?? null),
      last: iso(cancelled.at(-1)?.startsAt ?? null),
    };
  });
  const all = rows.reduce((n, r) => n + r.cancelled, 0);
  return withRates({
    id: 'sessions',
    title: 'Sessions cancelled',
    definition:
      'Therapy-group sessions the disruption cancelled, per group: groups and sessions are catalogue figures, never suppressed.',
    columns: [
      { key: 'group', label: 'Group', kind: 'text' },
      { key: 'specialty', label: 'Specialty', kind: 'text' },
      { key: 'serviceArea', label: 'Service area', kind: 'text' },
      { key: 'cancelled', label: 'Sessions cancelled', kind: 'count' },
      { key: 'first', label: 'First cancelled', kind: 'date' },
      { key: 'last', label: 'Last cancelled', kind: 'date' },
    ],
    rows: rows.filter((r) => r.cancelled > 0),
    total: {
      group: 'All groups',
      specialty: '',
      serviceArea: '',
      cancelled: all,
      first: null,
      last: null,
    },
  });
}

function breakdownTable(
  id: string,
  title: string,
  keyLabel: string,
  rows: { label: string; patients: number }[],
  total: number,
): ReportTable {
  return withRates({
    id,
    title,
    definition: displacedDefinition,
    columns: [
      { key: 'key', label: keyLabel, kind: 'text' },
      { key: 'patients', label: 'Patients displaced', kind: 'patients' },
      { key: 'share', label: 'Share', kind: 'rate', of: ['patients', 'all'] },
    ],
    rows: rows.map((r) => ({ key: r.label, patients: r.patients, all: total })),
    total: { key: 'All', patients: total, all: total },
  });
}

function placementTable(input: DisruptionReportInput): ReportTable {
  const o = input.outcomes;
  const row = (key: string, labelText: string, of: readonly PatientOutcome[]) => ({
    key,
    how: labelText,
    patients: of.length,
    seen: of.filter((p) => p.firstVisitAt !== null).length,
    daysToPlacement: median(of.flatMap((p) => p.businessDaysToPlacement ?? [])),
    daysToVisit: median(of.flatMap((p) => p.businessDaysToFirstVisit ?? [])),
  });
  const rows = [
    ...placementKinds.map((kind) =>
      row(
        kind,
        placementLabels[kind],
        o.filter((p) => p.placement?.kind === kind),
      ),
    ),
    ...waitingReasons.map((reason) =>
      row(
        reason,
        waitingLabels[reason],
        o.filter((p) => p.waiting === reason),
      ),
    ),
  ];
  const total = row('all', 'All displaced patients', o);
  return withRates({
    id: 'placement',
    title: 'How each patient was placed',
    definition:
      'Each displaced patient once, by the earliest placement that held by the report time. Business days (Monday to Friday less California state holidays and the operator closures) are counted from the displacement (the disruption applied) to the placement and to the first attended session or visit; medians are over the patients who have one.',
    columns: [
      { key: 'how', label: 'How placed', kind: 'text' },
      { key: 'patients', label: 'Patients', kind: 'patients' },
      { key: 'share', label: 'Share', kind: 'rate', of: ['patients', 'all'] },
      { key: 'seen', label: 'Seen since', kind: 'patients' },
      {
        key: 'daysToPlacement',
        label: 'Median business days to placement',
        kind: 'days',
        basis: 'patients',
      },
      {
        key: 'daysToVisit',
        label: 'Median business days to first visit',
        kind: 'days',
        basis: 'seen',
      },
    ],
    rows: rows.map((r) => ({ ...r, all: o.length })),
    total: { ...total, all: o.length },
  });
}

function deadlinesTable(input: DisruptionReportInput): ReportTable {
  const standards = Object.keys(deadlineLabels) as DisplacedStandard[];
  const row = (labelText: string, of: readonly PatientOutcome[]) => {
    const met = of.filter((p) => p.verdict === 'met').length;
    const missed = of.filter((p) => p.verdict === 'missed').length;
    return {
      deadline: labelText,
      patients: of.length,
      met,
      missed,
      pastAlready: of.filter(
        (p) => p.verdict === 'missed' && p.deadline.dueBefore <= input.impact.displacedAt,
      ).length,
      pending: of.length - met - missed,
      measured: met + missed,
    };
  };
  return withRates({
    id: 'deadlines',
    title: 'Seen in time: the deadline each patient had when displaced',
    definition:
      'Met: first attended session or visit after the displacement came before the deadline. Missed: the deadline passed without one; some deadlines (10 weekdays from the last visit) had passed before the disruption was applied, and are counted apart as well. Pending: the deadline has not passed and the patient has not been seen. The rate is met over met plus missed.',
    columns: [
      { key: 'deadline', label: 'Deadline', kind: 'text' },
      { key: 'patients', label: 'Patients', kind: 'patients' },
      { key: 'met', label: 'Met', kind: 'patients' },
      { key: 'missed', label: 'Missed', kind: 'patients' },
      { key: 'pastAlready', label: 'Of the missed, past already when displaced', kind: 'patients' },
      { key: 'pending', label: 'Pending', kind: 'patients' },
      { key: 'measured', label: 'Measured (met + missed)', kind: 'patients' },
      { key: 'rate', label: 'Met rate', kind: 'rate', of: ['met', 'measured'] },
    ],
    rows: standards
      .map((s) =>
        row(
          deadlineLabels[s],
          input.outcomes.filter((p) => p.deadline.standard === s),
        ),
      )
      .filter((r) => r.patients > 0),
    total: row('All displaced patients', input.outcomes),
    partitions: [
      { parts: ['met', 'missed', 'pending'], whole: 'patients' },
      { parts: ['met', 'missed'], whole: 'measured' },
    ],
  });
}

const fuhStandards: readonly Standard[] = ['fuh_7_days', 'fuh_30_days'];

const standardLabels = {
  urgent_48_hours: 'Urgent, 48 hours',
  urgent_96_hours: 'Urgent with prior authorization, 96 hours',
  initial_10_business_days: 'Initial, 10 business days',
  initial_15_business_days: 'Initial with a psychiatrist, 15 business days',
  follow_up_10_business_days: 'Follow-up, 10 business days (SB 221)',
  fuh_7_days: 'Follow-up after discharge, 7 days',
  fuh_30_days: 'Follow-up after discharge, 30 days',
} as const satisfies Record<Standard, string>;

function timelyTable(input: DisruptionReportInput, fuh: boolean): ReportTable {
  const pick = (rows: readonly StandardCounts[]) =>
    rows.filter((r) => fuhStandards.includes(r.standard) === fuh);
  const row = (period: string, r: StandardCounts) => ({
    standard: standardLabels[r.standard],
    period,
    met: r.met,
    missed: r.missed,
    excepted: r.excepted,
    pending: r.pending,
    denominator: r.met + r.missed,
    definition: input.standardDefinitions[r.standard],
  });
  // Each standard measured in either period gets a row for both, so the two can be compared.
  const before = new Map(pick(input.timelyAccess.before).map((r) => [r.standard, r]));
  const during = new Map(pick(input.timelyAccess.during).map((r) => [r.standard, r]));
  const none = (standard: Standard): StandardCounts => ({
    standard,
    met: 0,
    missed: 0,
    excepted: 0,
    pending: 0,
  });
  const rows = standards
    .filter((s) => before.has(s) || during.has(s))
    .flatMap((s) => [
      row('before', before.get(s) ?? none(s)),
      row('during', during.get(s) ?? none(s)),
    ]);
  const periods = `"before" is ${input.baseline.from.toISOString()} to ${input.baseline.to.toISOString()}; "during" is ${input.period.from.toISOString()} to ${input.period.to.toISOString()}.`;
  return withRates({
    id: fuh ? 'follow-up' : 'timely-access',
    title: fuh
      ? 'Follow-up after a psychiatric discharge (7 and 30 days)'
      : 'Timely access for the displaced patients, before and during the disruption',
    definition: fuh
      ? `The displaced patients discharged from a psychiatric stay in each period: an attended visit from the day after the discharge within 7 and within 30 days (HEDIS FUH). ${periods}`
      : `Requests made by the displaced patients in each period, against the same California standards: met when the earliest appointment offered came in time. Excepted (a documented clinical exception, or a cancellation by the patient) and pending requests are shown but not in the rate. ${periods}`,
    columns: [
      { key: 'standard', label: 'Standard', kind: 'text' },
      { key: 'period', label: 'Period', kind: 'text' },
      { key: 'met', label: 'Met', kind: 'patients' },
      { key: 'missed', label: 'Missed', kind: 'patients' },
      { key: 'denominator', label: 'Denominator', kind: 'patients' },
      { key: 'rate', label: 'Rate', kind: 'rate', of: ['met', 'denominator'] },
      { key: 'excepted', label: 'Excepted', kind: 'patients' },
      { key: 'pending', label: 'Pending', kind: 'patients' },
      { key: 'definition', label: 'Definition', kind: 'text' },
    ],
    rows,
    partitions: [{ parts: ['met', 'missed'], whole: 'denominator' }],
  });
}

function referralsTable(input: DisruptionReportInput): ReportTable {
  const r = input.referrals;
  return withRates({
    id: 'referrals',
    title: 'Referrals to outside providers: the closed loop',
    definition:
      'Referrals for the displaced patients sent in the period, followed by their stamped history to the report time.',
    columns: [
      { key: 'measure', label: 'Measure', kind: 'text' },
      { key: 'numerator', label: 'Numerator', kind: 'patients' },
      { key: 'denominator', label: 'Denominator', kind: 'patients' },
      { key: 'rate', label: 'Rate', kind: 'rate', of: ['numerator', 'denominator'] },
      {
        key: 'medianDays',
        label: 'Median business days to first visit',
        kind: 'days',
        basis: 'numerator',
      },
      { key: 'definition', label: 'Definition', kind: 'text' },
    ],
    rows: [
      {
        measure: 'Accepted',
        numerator: r.accepted,
        denominator: r.sent,
        definition: 'Referrals the provider accepted, of those sent.',
      },
      {
        measure: 'Completed',
        numerator: r.completed,
        denominator: r.sent,
        medianDays: r.medianBusinessDays,
        definition:
          'Referrals whose first visit was attended, of those sent; with the median business days from sending to that visit.',
      },
      {
        measure: 'Completed in time',
        numerator: r.completedInTime,
        denominator: r.sent,
        definition:
          "Referrals whose first visit was attended before the patient's timely-access deadline, of those sent.",
      },
    ],
    partitions: [{ parts: ['numerator'], whole: 'denominator', rest: true }],
  });
}

function grievancesTable(input: DisruptionReportInput): ReportTable {
  const row = (scope: string, rate: GrievanceRate) => ({
    scope,
    unit: rate.unit,
    numerator: rate.numerator,
    denominator: rate.denominator,
    value: rate.value,
    definition: rate.definition,
  });
  return withRates({
    id: 'grievances',
    title: 'Grievances, on all three denominators',
    definition:
      'Grievances received in the period: all of them, and those recorded as related to this disruption. Rates have no single convention, so all three are shown, each with its numerator and denominator.',
    columns: [
      { key: 'scope', label: 'Grievances', kind: 'text' },
      { key: 'unit', label: 'Rate', kind: 'text' },
      { key: 'numerator', label: 'Numerator', kind: 'patients' },
      { key: 'denominator', label: 'Denominator', kind: 'patients' },
      { key: 'value', label: 'Value', kind: 'measure', of: ['numerator', 'denominator'] },
      { key: 'definition', label: 'Definition', kind: 'text' },
    ],
    rows: [
      ...input.grievances.all.map((r) => row('All grievances', r)),
      ...input.grievances.disruptionRelated.map((r) => row('Related to this disruption', r)),
    ],
  });
}

function shortfallTable(input: DisruptionReportInput): ReportTable {
  const lines = input.shortfall?.lines ?? [];
  return withRates({
    id: 'shortfall',
    title: 'Capacity shortfall that remained',
    definition:
      input.shortfall === null
        ? 'No re-match plan had been made by the report time.'
        : `From the latest re-match plan by the report time (${input.shortfall.runAt.toISOString()}): patients left without an equivalent place, by the shape of care they needed, and the seats or outside places of that shape within reach that would clear it.`,
    columns: [
      { key: 'specialty', label: 'Specialty', kind: 'text' },
      { key: 'serviceArea', label: 'Service area', kind: 'text' },
      { key: 'accommodations', label: 'Needs', kind: 'text' },
      { key: 'patients', label: 'Patients without a place', kind: 'patients' },
      { key: 'seatsToClear', label: 'Places that would clear it', kind: 'count' },
    ],
    rows: lines.map((l) => ({
      specialty: label(l.specialty),
      serviceArea: l.serviceArea,
      accommodations: l.accommodations.map((a) => accommodationLabels[a]).join(', '),
      patients: l.patients,
      seatsToClear: l.seatsToClear,
    })),
    total: {
      specialty: 'All',
      serviceArea: '',
      accommodations: '',
      patients: lines.reduce((n, l) => n + l.patients, 0),
      seatsToClear: lines.reduce((n, l) => n + l.seatsToClear, 0),
    },
  });
}

function waitingTable(input: DisruptionReportInput): ReportTable {
  const waiting = input.outcomes.filter((p) => p.placement === null);
  const keyOf = (p: PatientOutcome) => `${p.need}|${p.serviceAreaId}`;
  const groups = new Map<string, PatientOutcome[]>();
  for (const p of waiting) groups.set(keyOf(p), [...(groups.get(keyOf(p)) ?? []), p]);
  const row = (specialty: string, serviceArea: string, of: readonly PatientOutcome[]) => ({
    specialty,
    serviceArea,
    patients: of.length,
    pastDeadline: of.filter((p) => p.verdict === 'missed').length,
  });
  return withRates({
    id: 'waiting',
    title: 'Still without a placement, by need and service area',
    definition:
      'Displaced patients with no placement by the report time, by the specialty of the care they lost and their service area; past deadline: not seen by the deadline they had when displaced.',
    columns: [
      { key: 'specialty', label: 'Specialty', kind: 'text' },
      { key: 'serviceArea', label: 'Service area', kind: 'text' },
      { key: 'patients', label: 'Patients', kind: 'patients' },
      { key: 'pastDeadline', label: 'Past deadline', kind: 'patients' },
    ],
    rows: [...groups.values()]
      .map((of) => {
        const first = of[0] as PatientOutcome;
        return row(label(first.need), input.serviceAreas.get(first.serviceAreaId)?.name ?? '', of);
      })
      .sort((a, b) => b.patients - a.patients || a.serviceArea.localeCompare(b.serviceArea)),
    total: row('All', '', waiting),
  });
}

function patientsTable(input: DisruptionReportInput): ReportTable {
  return withRates({
    id: 'patients',
    title: 'Each displaced patient (full edition only)',
    definition:
      'Worst risk first. Names and record numbers appear only in the full edition, and each patient named is recorded in the audit trail.',
    columns: [
      { key: 'mrn', label: 'MRN', kind: 'text' },
      { key: 'name', label: 'Name', kind: 'text' },
      { key: 'tier', label: 'Risk tier', kind: 'text' },
      { key: 'need', label: 'Care lost', kind: 'text' },
      { key: 'serviceArea', label: 'Service area', kind: 'text' },
      { key: 'placedAs', label: 'Placed', kind: 'text' },
      { key: 'placedWith', label: 'With', kind: 'text' },
      { key: 'placedAt', label: 'Placed at', kind: 'date' },
      { key: 'daysToPlacement', label: 'Business days to placement', kind: 'count' },
      { key: 'firstVisitAt', label: 'First visit', kind: 'date' },
      { key: 'daysToVisit', label: 'Business days to first visit', kind: 'count' },
      { key: 'deadline', label: 'Deadline', kind: 'date' },
      { key: 'verdict', label: 'Seen in time', kind: 'text' },
    ],
    rows: input.outcomes.map((p) => ({
      mrn: p.mrn,
      name: p.name,
      tier: p.tier,
      need: label(p.need),
      serviceArea: input.serviceAreas.get(p.serviceAreaId)?.name ?? '',
      placedAs: p.placement
        ? placementLabels[p.placement.kind]
        : waitingLabels[p.waiting ?? 'not_rematched'],
      placedWith: p.placement?.targetName ?? null,
      placedAt: iso(p.placement?.placedAt ?? null),
      daysToPlacement: p.businessDaysToPlacement,
      firstVisitAt: iso(p.firstVisitAt),
      daysToVisit: p.businessDaysToFirstVisit,
      deadline: p.deadline.dueBefore.toISOString(),
      verdict: p.verdict,
    })),
  });
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
  const o = input.outcomes;
  const { disruption: d } = input;
  const tables = [
    summaryTable(input),
    sessionsTable(input),
    breakdownTable(
      'displaced-by-specialty',
      'Patients displaced, by the specialty of the care lost',
      'Specialty',
      countRows(tally(o.map((p) => p.need)), label),
      o.length,
    ),
    breakdownTable(
      'displaced-by-service-area',
      'Patients displaced, by service area',
      'Service area',
      countRows(
        tally(o.map((p) => p.serviceAreaId)),
        (id) => input.serviceAreas.get(id)?.name ?? id,
      ),
      o.length,
    ),
    breakdownTable(
      'displaced-by-risk-tier',
      'Patients displaced, by risk tier at the displacement',
      'Risk tier',
      riskTiers.map((tier) => ({
        label: tierLabels[tier],
        patients: o.filter((p) => p.tier === tier).length,
      })),
      o.length,
    ),
    placementTable(input),
    deadlinesTable(input),
    timelyTable(input, false),
    timelyTable(input, true),
    referralsTable(input),
    grievancesTable(input),
    shortfallTable(input),
    waitingTable(input),
    ...(edition === 'full' ? [patientsTable(input)] : []),
  ];
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
