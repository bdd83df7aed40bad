import type { DisplacedStandard } from '../disruptions/disruptions.domain.ts';
import type { Rate as GrievanceRate } from '../grievances/grievances.domain.ts';
import { standards, type Standard } from '../timely-access/rules.domain.ts';
import { withRates, type ReportTable } from './report-table.domain.ts';
import type {
  DisruptionReportInput,
  PatientOutcome,
  StandardCounts,
} from './disruption-report.domain.ts';

/*
 * The disruption report's tables on timeliness: whether each displaced patient was seen before
 * their deadline, timely access before and during the disruption, the referrals' closed loop and
 * grievances. Pure; the other tables are in disruption-report-tables.domain.ts.
 */

const deadlineLabels = {
  urgent_48_hours: 'Urgent: seen within 48 hours of the displacement',
  fuh_7_days: 'After a psychiatric discharge: seen within 7 days (HEDIS FUH)',
  fuh_30_days: 'After a psychiatric discharge: seen within 30 days (HEDIS FUH)',
  follow_up_10_business_days:
    'In a course of treatment: seen within 10 weekdays of the last visit (SB 221)',
} as const satisfies Record<DisplacedStandard, string>;

export function deadlinesTable(input: DisruptionReportInput): ReportTable {
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

export function timelyTable(input: DisruptionReportInput, fuh: boolean): ReportTable {
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

export function referralsTable(input: DisruptionReportInput): ReportTable {
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

export function grievancesTable(input: DisruptionReportInput): ReportTable {
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
