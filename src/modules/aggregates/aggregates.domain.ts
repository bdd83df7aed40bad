/**
 * De-identified aggregates: counts over groups of patients, never a patient. Any count of patients
 * from 1 to 10 is suppressed (CMS cell-size suppression policy: no cell below 11, and no cell that
 * can be worked out from the others), so a small cell cannot point at a person.
 */

/** The smallest count of patients that may be shown. */
export const minimumCellSize = 11;

/** A count of patients as it may be shown: 0 and 11 or more as they are, 1 to 10 as null. */
export function suppressSmallCount(count: number): number | null {
  return count > 0 && count < minimumCellSize ? null : count;
}

/** The counts of patients in an enrollment aggregate: each is suppressed when small. */
export const patientMeasures = [
  'activeEnrollments',
  'waitlisted',
  'patientsHighRisk',
  'patientsRecentlyDischarged',
  'patientsPerinatal',
] as const;
export type PatientMeasure = (typeof patientMeasures)[number];

/**
 * Exact counts for one cell. Each is a number of distinct patients: `activeEnrollments` those
 * actively enrolled; `waitlisted` those waiting for a seat; the `patients…` counts are among the
 * actively enrolled.
 */
export type PatientCounts = Record<PatientMeasure, number>;

/** Groups and seats are catalogue figures, not people: they are never suppressed. */
export interface GroupCounts {
  /** Active groups. */
  groups: number;
  /** The summed capacity of the active groups. */
  seats: number;
}

export interface EnrollmentCell extends GroupCounts {
  specialty: string;
  patients: PatientCounts;
}

/** One service area's exact figures: a cell per group specialty, and the area as a whole. */
export interface EnrollmentArea {
  code: string;
  name: string;
  cells: EnrollmentCell[];
  /** The whole area: distinct patients, so not always the sum of the cells. */
  total: GroupCounts & { patients: PatientCounts };
}

/** A row as the auditor sees it: suppressed counts are null and named in `suppressed`. */
export type EnrollmentAggregateRow = GroupCounts & {
  serviceAreaCode: string;
  serviceAreaName: string;
  /** null on the area's totals row. */
  specialty: string | null;
  suppressed: PatientMeasure[];
} & Record<PatientMeasure, number | null>;

/**
 * Which of one measure's cells to hide. Every cell of 1 to 10 (primary suppression). When just one
 * cell is hidden and the total is shown, that cell is the total minus the others, so the smallest
 * other non-zero cell is hidden too (complementary suppression); without one, the total is.
 * Returns the indexes of hidden cells, and whether the total is hidden.
 */
export function cellsToSuppress(
  cells: readonly number[],
  total: number,
): { cells: Set<number>; total: boolean } {
  const hidden = new Set<number>();
  cells.forEach((count, index) => {
    if (suppressSmallCount(count) === null) hidden.add(index);
  });
  let hideTotal = suppressSmallCount(total) === null;
  if (hidden.size === 1 && !hideTotal) {
    let complement: number | undefined;
    cells.forEach((count, index) => {
      if (hidden.has(index) || count === 0) return;
      if (complement === undefined || count < (cells[complement] ?? Infinity)) complement = index;
    });
    if (complement === undefined) hideTotal = true;
    else hidden.add(complement);
  }
  return { cells: hidden, total: hideTotal };
}

function toRow(
  area: EnrollmentArea,
  specialty: string | null,
  figures: GroupCounts & { patients: PatientCounts },
  hidden: ReadonlySet<PatientMeasure>,
): EnrollmentAggregateRow {
  const counts = {} as Record<PatientMeasure, number | null>;
  for (const measure of patientMeasures) {
    counts[measure] = hidden.has(measure) ? null : figures.patients[measure];
  }
  return {
    serviceAreaCode: area.code,
    serviceAreaName: area.name,
    specialty,
    groups: figures.groups,
    seats: figures.seats,
    ...counts,
    suppressed: patientMeasures.filter((measure) => hidden.has(measure)),
  };
}

/**
 * The auditor's enrollment table: per area, a row per specialty (in specialty order) and then
 * the area's totals row, with small and derivable patient counts suppressed. Areas come out in
 * code order, so the same data always gives the same table.
 */
export function enrollmentAggregate(areas: readonly EnrollmentArea[]): EnrollmentAggregateRow[] {
  const rows: EnrollmentAggregateRow[] = [];
  const byCode = [...areas].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  for (const area of byCode) {
    const cells = [...area.cells].sort((a, b) =>
      a.specialty < b.specialty ? -1 : a.specialty > b.specialty ? 1 : 0,
    );
    const hiddenInCell = cells.map(() => new Set<PatientMeasure>());
    const hiddenInTotal = new Set<PatientMeasure>();
    for (const measure of patientMeasures) {
      const hide = cellsToSuppress(
        cells.map((cell) => cell.patients[measure]),
        area.total.patients[measure],
      );
      for (const index of hide.cells) hiddenInCell[index]?.add(measure);
      if (hide.total) hiddenInTotal.add(measure);
    }
    cells.forEach((cell, index) => {
      rows.push(toRow(area, cell.specialty, cell, hiddenInCell[index] ?? new Set()));
    });
    rows.push(toRow(area, null, area.total, hiddenInTotal));
  }
  return rows;
}

/** The last `weeks` days a week apart, ending on `today` (YYYY-MM-DD), oldest first. */
export function weekEndings(today: string, weeks: number): string[] {
  const end = Date.parse(`${today}T00:00:00Z`);
  return Array.from({ length: weeks }, (_, i) =>
    new Date(end - (weeks - 1 - i) * 7 * 86_400_000).toISOString().slice(0, 10),
  );
}

/** One week of the days-without-care trend, de-identified: small counts are null. */
export interface CareGapWeek {
  weekEnding: string;
  /** The denominator: patients in a course of treatment that day. */
  patients: number | null;
  neverSeen: number | null;
  over14Days: number | null;
  over28Days: number | null;
  /** Median days since the last attended care, among those ever seen; null when too few. */
  medianDays: number | null;
}

export function careGapWeek(row: {
  weekEnding: string;
  patients: number;
  neverSeen: number;
  over14Days: number;
  over28Days: number;
  medianDays: number | null;
}): CareGapWeek {
  const enough = row.patients >= minimumCellSize;
  return {
    weekEnding: row.weekEnding,
    patients: suppressSmallCount(row.patients),
    neverSeen: enough ? suppressSmallCount(row.neverSeen) : null,
    over14Days: enough ? suppressSmallCount(row.over14Days) : null,
    over28Days: enough ? suppressSmallCount(row.over28Days) : null,
    medianDays: enough && row.medianDays !== null ? Math.round(row.medianDays * 10) / 10 : null,
  };
}
