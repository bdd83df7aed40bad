import { minimumCellSize, suppressSmallCount } from '../aggregates/aggregates.domain.ts';

/**
 * A report is a list of tables: one shape that the HTML, the PDF, the CSV files and the JSON all
 * render, and that the de-identified edition suppresses in one place. Every column says what kind
 * of figure it holds, so suppression knows which cells count patients.
 */

export type ColumnKind =
  /** Words: a name, a label, a definition. */
  | 'text'
  /** An instant or a day, as ISO 8601 text. */
  | 'date'
  /** A count of things that are not people (sessions, groups, seats, members): never suppressed. */
  | 'count'
  /** A count of patients (or of their grievances): suppressed from 1 to 10. */
  | 'patients'
  /** numerator / denominator, from two patients or count columns of the same row (`of`). */
  | 'rate'
  /** A figure computed from two columns of the row (`of`) otherwise (a scaled rate): kept as given. */
  | 'measure'
  /** A median number of days over the patients of another column (`basis`). */
  | 'days';

export interface Column {
  key: string;
  label: string;
  kind: ColumnKind;
  /** For a rate or a measure: the keys of its numerator and denominator. */
  of?: readonly [string, string];
  /** For days: the patients column that counts the patients the median is over. */
  basis?: string;
}

export type Cell = string | number | null;

/**
 * Patients columns of a row that add up to another column of it (met + missed + pending =
 * patients). With `rest`, the parts do not cover the whole: the rest (whole minus parts) is a
 * figure anyone can work out, so it is held to the same rule, and when it or any part is small
 * every part and the whole are withheld.
 */
export interface Partition {
  parts: readonly string[];
  whole: string;
  rest?: boolean;
}
export type TableRow = Record<string, Cell>;

export interface ReportTable {
  id: string;
  title: string;
  /** What the table counts, in words: the definition of each of its figures. */
  definition: string;
  columns: readonly Column[];
  rows: TableRow[];
  /** The totals row, when the table has one. */
  total?: TableRow | undefined;
  /** Suppression hides a second part of a partition when one part alone could be worked out. */
  partitions?: readonly Partition[];
  /** The cells withheld in the de-identified edition, as `row.key` (a row index, or `total`). */
  suppressed: string[];
}

export function rateOf(numerator: number | null, denominator: number | null): number | null {
  return numerator === null || denominator === null || denominator === 0
    ? null
    : numerator / denominator;
}

/** The median of a list of numbers, or null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? null)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Fills each rate column from its numerator and denominator. */
export function withRates(table: Omit<ReportTable, 'suppressed'>): ReportTable {
  const fill = (row: TableRow): TableRow => {
    const out = { ...row };
    for (const column of table.columns) {
      if (column.kind !== 'rate' || !column.of) continue;
      const [n, d] = column.of;
      out[column.key] = rateOf(asNumber(row[n]), asNumber(row[d]));
    }
    return out;
  };
  return {
    ...table,
    rows: table.rows.map(fill),
    total: table.total && fill(table.total),
    suppressed: [],
  };
}

const asNumber = (cell: Cell | undefined): number | null =>
  typeof cell === 'number' ? cell : null;

/**
 * Which cell to hide so that a lone hidden part of a whole cannot be worked out from the whole
 * minus the parts shown: the smallest non-zero part shown, else the whole. Null when nothing needs
 * hiding (no part hidden, two or more hidden, or the whole itself hidden).
 */
function complementOf(parts: readonly Cell[], whole: Cell | undefined): number | 'whole' | null {
  const hidden = parts.filter((cell) => cell === null).length;
  if (hidden !== 1 || whole === null || whole === undefined) return null;
  let smallest: number | null = null;
  for (const [index, cell] of parts.entries()) {
    const value = asNumber(cell);
    if (value === null || value === 0) continue;
    if (smallest === null || value < (asNumber(parts[smallest]) ?? 0)) smallest = index;
  }
  return smallest ?? 'whole';
}

/**
 * The table as the de-identified edition shows it (the CMS cell-size rule of aggregates.domain):
 * every patients cell from 1 to 10 is null, and so is any cell that would let one be worked out:
 * down each column against the totals row, and across each partition of a row, until no hidden
 * cell can be. A rate or measure is withheld with either of its parts, and a median over fewer than 11
 * patients is withheld. `suppressed` lists the cells withheld that had a value.
 */
export function deidentifyTable(table: ReportTable): ReportTable {
  const rows = table.rows.map((row) => ({ ...row }));
  const total = table.total && { ...table.total };
  const all = total ? [...rows, total] : rows;
  const patientKeys = table.columns.filter((c) => c.kind === 'patients').map((c) => c.key);

  for (const row of all)
    for (const key of patientKeys)
      if (suppressSmallCount(asNumber(row[key]) ?? 0) === null) row[key] = null;

  for (let changed = true; changed;) {
    changed = false;
    const hide = (row: TableRow | undefined, key: string) => {
      if (row && row[key] !== null) {
        row[key] = null;
        changed = true;
      }
    };
    if (total)
      for (const key of patientKeys) {
        const pick = complementOf(
          rows.map((row) => row[key] ?? null),
          total[key],
        );
        if (pick === 'whole') hide(total, key);
        else if (pick !== null) hide(rows[pick], key);
      }
    for (const { parts, whole, rest } of table.partitions ?? [])
      for (const row of all) {
        if (rest) {
          const wholeValue = asNumber(row[whole]);
          const sum = parts.reduce((n, key) => n + (asNumber(row[key]) ?? 0), 0);
          const small =
            parts.some((key) => row[key] === null) ||
            (wholeValue !== null && suppressSmallCount(wholeValue - sum) === null);
          if (small) for (const key of [...parts, whole]) hide(row, key);
          continue;
        }
        const pick = complementOf(
          parts.map((key) => row[key] ?? null),
          row[whole],
        );
        if (pick === 'whole') hide(row, whole);
        else if (pick !== null) hide(row, parts[pick] ?? whole);
      }
  }

  for (const row of all)
    for (const column of table.columns) {
      if ((column.kind === 'rate' || column.kind === 'measure') && column.of) {
        const [n, d] = column.of;
        if (row[n] === null || row[d] === null) row[column.key] = null;
      }
      if (column.kind === 'days' && column.basis !== undefined) {
        const basis = asNumber(row[column.basis]);
        if (basis === null || basis < minimumCellSize) row[column.key] = null;
      }
    }

  const suppressed: string[] = [];
  const compare = (address: string, before: TableRow, after: TableRow) => {
    for (const key of Object.keys(before))
      if (before[key] !== null && after[key] === null) suppressed.push(`${address}.${key}`);
  };
  table.rows.forEach((row, index) => {
    compare(String(index), row, rows[index] ?? {});
  });
  if (table.total && total) compare('total', table.total, total);
  return { ...table, rows, total, suppressed };
}
