import { accommodationLabels, specialtyLabels } from '../matching/candidate-reasons.domain.ts';
import type { RiskTier } from '../matching/risk.domain.ts';
import { riskTiers } from '../matching/risk.domain.ts';
import type { Specialty } from '../vocabulary/vocabulary.domain.ts';
import { median, withRates, type ReportTable } from './report-table.domain.ts';
import type { DisruptionReportInput, PatientOutcome } from './disruption-report.domain.ts';
import {
  deadlinesTable,
  grievancesTable,
  referralsTable,
  timelyTable,
} from './disruption-timeliness-tables.domain.ts';

/*
 * The disruption continuity report's tables (the outcome rules are in disruption-report.domain.ts),
 * each with its numerator, denominator and definition. Pure.
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

export const iso = (date: Date | null): string | null =>
  date === null ? null : date.toISOString();
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

/** The report's tables, in reading order; the full edition adds a row per patient. */
export function reportTables(input: DisruptionReportInput, edition: Edition): ReportTable[] {
  const o = input.outcomes;
  return [
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
}
