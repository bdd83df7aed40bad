import { describe, expect, it } from 'vitest';
import {
  cellsToSuppress,
  enrollmentAggregate,
  suppressSmallCount,
  type EnrollmentArea,
  type PatientCounts,
} from './aggregates.domain.ts';

describe('suppressSmallCount', () => {
  it.each([
    [0, 0],
    [1, null],
    [5, null],
    [10, null],
    [11, 11],
    [12, 12],
    [250_000, 250_000],
  ])('shows %i as %s', (count, shown) => {
    expect(suppressSmallCount(count)).toBe(shown);
  });
});

describe('cellsToSuppress', () => {
  it.each<[string, number[], number, number[], boolean]>([
    ['nothing when no cell is small', [0, 11, 40], 51, [], false],
    ['every small cell', [3, 11, 7], 21, [0, 2], false],
    [
      'the smallest other non-zero cell when one small cell could be worked out',
      [3, 40, 0, 12],
      55,
      [0, 3],
      false,
    ],
    ['the first of equal candidates', [3, 12, 12], 27, [0, 1], false],
    ['the total when no other cell can hide the small one', [3, 0], 14, [0], true],
    ['a small total', [0, 4], 4, [1], true],
  ])('hides %s', (_case, cells, total, hiddenCells, hiddenTotal) => {
    const hidden = cellsToSuppress(cells, total);
    expect([...hidden.cells].sort((a, b) => a - b)).toEqual(hiddenCells);
    expect(hidden.total).toBe(hiddenTotal);
  });
});

const counts = (overrides: Partial<PatientCounts> = {}): PatientCounts => ({
  activeEnrollments: 0,
  waitlisted: 0,
  patientsHighRisk: 0,
  patientsRecentlyDischarged: 0,
  patientsPerinatal: 0,
  ...overrides,
});

describe('enrollmentAggregate', () => {
  const area = (code: string, cells: EnrollmentArea['cells'], total: PatientCounts) => ({
    code,
    name: `Area ${code}`,
    cells,
    total: { groups: 9, seats: 90, patients: total },
  });

  it('orders areas by code, specialties alphabetically, and the totals row last', () => {
    const rows = enrollmentAggregate([
      area('WH', [], counts()),
      area(
        'AV',
        [
          { specialty: 'ptsd', groups: 1, seats: 8, patients: counts() },
          { specialty: 'grief', groups: 2, seats: 16, patients: counts() },
        ],
        counts(),
      ),
    ]);
    expect(rows.map((row) => [row.serviceAreaCode, row.specialty])).toEqual([
      ['AV', 'grief'],
      ['AV', 'ptsd'],
      ['AV', null],
      ['WH', null],
    ]);
  });

  it('nulls and names small patient counts, keeps groups, seats, zeros and large counts', () => {
    const [grief, ocd, ptsd, total] = enrollmentAggregate([
      area(
        'AV',
        [
          {
            specialty: 'ptsd',
            groups: 2,
            seats: 3,
            patients: counts({ activeEnrollments: 12, patientsHighRisk: 11, waitlisted: 2 }),
          },
          { specialty: 'grief', groups: 1, seats: 1, patients: counts({ activeEnrollments: 2 }) },
          { specialty: 'ocd', groups: 1, seats: 1, patients: counts({ activeEnrollments: 3 }) },
        ],
        counts({ activeEnrollments: 17, patientsHighRisk: 11, waitlisted: 2 }),
      ),
    ]);
    expect(ptsd).toEqual({
      serviceAreaCode: 'AV',
      serviceAreaName: 'Area AV',
      specialty: 'ptsd',
      groups: 2,
      seats: 3,
      activeEnrollments: 12,
      waitlisted: null,
      patientsHighRisk: 11,
      patientsRecentlyDischarged: 0,
      patientsPerinatal: 0,
      suppressed: ['waitlisted'],
    });
    expect(grief).toMatchObject({ activeEnrollments: null, suppressed: ['activeEnrollments'] });
    expect(ocd).toMatchObject({ activeEnrollments: null, suppressed: ['activeEnrollments'] });
    expect(total).toMatchObject({
      specialty: null,
      groups: 9,
      seats: 90,
      activeEnrollments: 17,
      waitlisted: null,
      patientsHighRisk: 11,
      suppressed: ['waitlisted'],
    });
  });

  it('hides a large cell too when the total would give a small one away', () => {
    const [grief, ptsd, total] = enrollmentAggregate([
      area(
        'AV',
        [
          { specialty: 'grief', groups: 1, seats: 8, patients: counts({ activeEnrollments: 4 }) },
          { specialty: 'ptsd', groups: 1, seats: 8, patients: counts({ activeEnrollments: 30 }) },
        ],
        counts({ activeEnrollments: 34 }),
      ),
    ]);
    expect(grief?.activeEnrollments).toBeNull();
    expect(ptsd).toMatchObject({ activeEnrollments: null, suppressed: ['activeEnrollments'] });
    expect(total?.activeEnrollments).toBe(34);
  });
});
