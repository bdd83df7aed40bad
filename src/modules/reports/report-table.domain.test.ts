import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deidentifyTable,
  median,
  rateOf,
  withRates,
  type Column,
  type ReportTable,
  type TableRow,
} from './report-table.domain.ts';

const breakdown = (cells: number[]): ReportTable =>
  withRates({
    id: 't',
    title: 'T',
    definition: 'd',
    columns: [
      { key: 'key', label: 'Key', kind: 'text' },
      { key: 'patients', label: 'Patients', kind: 'patients' },
      { key: 'share', label: 'Share', kind: 'rate', of: ['patients', 'all'] },
    ],
    rows: cells.map((patients, i) => ({ key: `k${i}`, patients, all: sum(cells) })),
    total: { key: 'All', patients: sum(cells), all: sum(cells) },
  });

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const patientsOf = (t: ReportTable) => t.rows.map((r) => r.patients ?? null);

describe('rates and medians', () => {
  it('divides, and gives null for nothing to divide by', () => {
    expect(rateOf(3, 4)).toBe(0.75);
    expect(rateOf(3, 0)).toBeNull();
    expect(rateOf(null, 4)).toBeNull();
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('fills rate columns from their parts, in rows and the total', () => {
    const t = breakdown([30, 10]);
    expect(t.rows.map((r) => r.share)).toEqual([0.75, 0.25]);
    expect(t.total?.share).toBe(1);
  });
});

describe('the de-identified edition of a table', () => {
  const cases: [string, number[], (number | null)[], number | null][] = [
    ['shows counts of 0 and 11 or more as they are', [0, 11, 40], [0, 11, 40], 51],
    [
      'hides a small cell and, with the total shown, the smallest other',
      [5, 20, 30],
      [null, null, 30],
      55,
    ],
    ['hides two small cells and nothing else', [3, 4, 30], [null, null, 30], 37],
    ['hides the total when the one small cell has no other to pair with', [5, 0], [null, 0], null],
    ['hides every cell of a small table', [2, 3], [null, null], null],
  ];
  for (const [name, cells, shown, total] of cases)
    it(name, () => {
      const t = deidentifyTable(breakdown(cells));
      expect(patientsOf(t)).toEqual(shown);
      expect(t.total?.patients ?? null).toBe(total);
    });

  it('withholds a rate with its parts, and lists every withheld cell', () => {
    const t = deidentifyTable(breakdown([5, 20, 30]));
    expect(t.rows.map((r) => r.share)).toEqual([null, null, 30 / 55]);
    expect(t.suppressed).toEqual(['0.patients', '0.share', '1.patients', '1.share']);
    // The full table is left as it was.
    expect(breakdown([5, 20, 30]).suppressed).toEqual([]);
  });

  it('hides a second part of a row when one part alone could be worked out from the whole', () => {
    const table = withRates({
      id: 'd',
      title: 'D',
      definition: 'd',
      columns: [
        { key: 'patients', label: 'P', kind: 'patients' },
        { key: 'met', label: 'M', kind: 'patients' },
        { key: 'missed', label: 'X', kind: 'patients' },
        { key: 'pending', label: 'W', kind: 'patients' },
      ],
      rows: [{ patients: 60, met: 4, missed: 40, pending: 16 }],
      partitions: [{ parts: ['met', 'missed', 'pending'], whole: 'patients' }],
    });
    expect(deidentifyTable(table).rows[0]).toEqual({
      patients: 60,
      met: null,
      missed: 40,
      pending: null,
    });
  });

  it('withholds a ratio whose remainder is small, the whole included', () => {
    const table = withRates({
      id: 's',
      title: 'S',
      definition: 'd',
      columns: [
        { key: 'numerator', label: 'N', kind: 'patients' },
        { key: 'denominator', label: 'D', kind: 'patients' },
        { key: 'rate', label: 'R', kind: 'rate', of: ['numerator', 'denominator'] },
      ],
      rows: [
        { numerator: 40, denominator: 48 },
        { numerator: 20, denominator: 48 },
      ],
      partitions: [{ parts: ['numerator'], whole: 'denominator', rest: true }],
    });
    const t = deidentifyTable(table);
    expect(t.rows[0]).toEqual({ numerator: null, denominator: null, rate: null });
    expect(t.rows[1]).toEqual({ numerator: 20, denominator: 48, rate: 20 / 48 });
  });

  it('withholds a median over fewer than 11 patients', () => {
    const columns: Column[] = [
      { key: 'patients', label: 'P', kind: 'patients' },
      { key: 'days', label: 'D', kind: 'days', basis: 'patients' },
    ];
    const t = deidentifyTable(
      withRates({
        id: 'm',
        title: 'M',
        definition: 'd',
        columns,
        rows: [
          { patients: 11, days: 3 },
          { patients: 0, days: null },
          { patients: 12, days: 4 },
        ],
      }),
    );
    expect(t.rows.map((r) => r.days)).toEqual([3, null, 4]);
  });

  it('never shows a count of 1 to 10, nor lets one be worked out from a total or a row', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            met: fc.integer({ min: 0, max: 40 }),
            missed: fc.integer({ min: 0, max: 40 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (cells) => {
          const rows: TableRow[] = cells.map((c) => ({ ...c, all: c.met + c.missed }));
          const total = {
            met: sum(cells.map((c) => c.met)),
            missed: sum(cells.map((c) => c.missed)),
            all: sum(cells.map((c) => c.met + c.missed)),
          };
          const t = deidentifyTable(
            withRates({
              id: 'p',
              title: 'P',
              definition: 'd',
              columns: ['met', 'missed', 'all'].map((key) => ({
                key,
                label: key,
                kind: 'patients' as const,
              })),
              rows,
              total,
              partitions: [{ parts: ['met', 'missed'], whole: 'all' }],
            }),
          );
          const every = [...t.rows, ...(t.total ? [t.total] : [])];
          for (const row of every)
            for (const key of ['met', 'missed', 'all']) {
              const value = row[key];
              expect(value === null || value === 0 || (value as number) >= 11).toBe(true);
            }
          // No row has exactly one hidden part while its whole is shown,
          for (const row of every) {
            const hidden = ['met', 'missed'].filter((k) => row[k] === null).length;
            expect(hidden === 1 && row.all !== null).toBe(false);
          }
          // and no column has exactly one hidden cell while its total is shown.
          for (const key of ['met', 'missed', 'all']) {
            const hidden = t.rows.filter((r) => r[key] === null).length;
            expect(hidden === 1 && t.total?.[key] !== null).toBe(false);
          }
        },
      ),
    );
  });
});
