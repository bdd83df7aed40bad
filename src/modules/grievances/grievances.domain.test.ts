import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test/errors.ts';
import {
  assertGrievanceTransition,
  grievanceDeadlines,
  grievanceRates,
  grievanceStatuses,
  type GrievanceStatus,
} from './grievances.domain.ts';

const tz = 'America/Los_Angeles';

describe('grievance deadlines, worked out by hand', () => {
  it.each([
    [
      'across a month end',
      '2025-01-28T18:00:00.000Z', // Tuesday 28 January, 10:00 in Los Angeles
      false,
      { ack: '2025-02-03T08:00:00.000Z', resolve: '2025-02-28T08:00:00.000Z', disposition: null },
    ],
    [
      'across 29 February and the spring DST change, expedited',
      '2024-02-27T20:00:00.000Z', // Tuesday 27 February 2024, noon; DST began 10 March
      true,
      {
        ack: '2024-03-04T08:00:00.000Z', // end of 3 March: 28, 29 February, 1, 2, 3 March
        resolve: '2024-03-29T07:00:00.000Z', // end of 28 March, now on daylight time
        disposition: '2024-03-02T08:00:00.000Z', // end of 1 March
      },
    ],
    [
      'received at 23:30 on New Year’s Eve, local time',
      '2024-01-01T07:30:00.000Z',
      false,
      { ack: '2024-01-06T08:00:00.000Z', resolve: '2024-01-31T08:00:00.000Z', disposition: null },
    ],
  ])('%s', (_title, received, expedited, expected) => {
    const d = grievanceDeadlines(new Date(received), expedited, tz);
    expect({
      ack: d.acknowledgeBefore.toISOString(),
      resolve: d.resolveBefore.toISOString(),
      disposition: d.dispositionBefore?.toISOString() ?? null,
    }).toEqual(expected);
  });
});

describe('grievance workflow', () => {
  const allowed = new Set([
    'received→acknowledged',
    'received→resolved',
    'received→withdrawn',
    'acknowledged→resolved',
    'acknowledged→withdrawn',
  ]);
  for (const from of grievanceStatuses)
    for (const to of grievanceStatuses)
      it(`${allowed.has(`${from}→${to}`) ? 'allows' : 'refuses'} ${from} → ${to}`, () => {
        expect(
          codeOf(() => {
            assertGrievanceTransition('g', from, to, 'explained and apologised');
          }),
        ).toBe(allowed.has(`${from}→${to}`) ? null : 'INVALID_TRANSITION');
      });

  it.each<[GrievanceStatus, string | undefined]>([
    ['received', undefined],
    ['acknowledged', '   '],
  ])('refuses to resolve a %s grievance without saying how', (from, resolution) => {
    expect(
      codeOf(() => {
        assertGrievanceTransition('g', from, 'resolved', resolution);
      }),
    ).toBe('VALIDATION_FAILED');
  });
});

describe('grievance rates', () => {
  it('gives three very different figures from one numerator, each with its denominator', () => {
    // 6 grievances over 60 days, 200,000 members, 2,000 displaced patients.
    const [cms, opa, share] = grievanceRates({
      grievances: 6,
      members: 200_000,
      days: 60,
      affectedPatients: 2_000,
      affectedDefinition: 'the patients the disruption displaced',
    });
    expect(cms).toMatchObject({ numerator: 6, denominator: 200_000 });
    expect(cms?.value).toBeCloseTo(0.015, 12); // 6 / 200,000 × 1,000 × 30 / 60
    expect(opa?.value).toBeCloseTo(0.3, 12); // 6 / 200,000 × 10,000
    expect(share).toMatchObject({ numerator: 6, denominator: 2_000 });
    expect(share?.value).toBeCloseTo(0.003, 12); // 0.3%
    for (const rate of [cms, opa, share]) expect(rate?.definition).toMatch(/\.$/);
  });

  it('gives no figure rather than dividing by zero', () => {
    const rates = grievanceRates({
      grievances: 2,
      members: 0,
      days: 30,
      affectedPatients: 0,
      affectedDefinition: 'nobody',
    });
    expect(rates.map((r) => r.value)).toEqual([null, null, null]);
  });
});
