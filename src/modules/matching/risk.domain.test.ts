import { describe, expect, it } from 'vitest';
import {
  careDeadline,
  followUpWindow,
  rankByRisk,
  riskTier,
  riskTiers,
  riskWeights,
  type RankInput,
  type RiskInput,
} from './risk.domain.ts';

const now = new Date('2025-03-03T17:00:00.000Z');
const la = 'America/Los_Angeles';

function buildRiskInput(overrides: Partial<RiskInput> = {}): RiskInput {
  return { conditions: [], perinatal: false, risk: 'low', dischargedAt: null, ...overrides };
}

describe('riskTier', () => {
  it.each([
    { case: 'nothing special', input: {}, tier: 'standard' },
    { case: 'moderate screen', input: { risk: 'moderate' }, tier: 'standard' },
    { case: 'perinatal', input: { perinatal: true }, tier: 'perinatal' },
    { case: 'high risk screen', input: { risk: 'high' }, tier: 'high' },
    { case: 'high screen and perinatal', input: { risk: 'high', perinatal: true }, tier: 'high' },
    {
      case: 'perinatal psychosis risk',
      input: { perinatal: true, conditions: ['perinatal_psychosis_risk'] },
      tier: 'urgent',
    },
    {
      case: 'perinatal with psychosis',
      input: { perinatal: true, conditions: ['psychosis'] },
      tier: 'urgent',
    },
    { case: 'psychosis, not perinatal', input: { conditions: ['psychosis'] }, tier: 'standard' },
    {
      case: 'urgent outranks a recent discharge',
      input: {
        conditions: ['perinatal_psychosis_risk'],
        dischargedAt: new Date('2025-03-01T00:00:00.000Z'),
      },
      tier: 'urgent',
    },
    {
      case: 'discharged today',
      input: { dischargedAt: now },
      tier: 'recent_discharge',
    },
    {
      case: 'discharged exactly 30 days ago',
      input: { dischargedAt: new Date('2025-02-01T17:00:00.000Z'), risk: 'high' },
      tier: 'recent_discharge',
    },
    {
      case: 'discharged 30 days and 1 ms ago',
      input: { dischargedAt: new Date('2025-02-01T16:59:59.999Z'), risk: 'high' },
      tier: 'high',
    },
    {
      case: 'discharge recorded in the future',
      input: { dischargedAt: new Date('2025-03-04T00:00:00.000Z') },
      tier: 'standard',
    },
  ] as const)('$case: $tier', ({ input, tier }) => {
    expect(riskTier(buildRiskInput(input), now)).toBe(tier);
  });
});

describe('riskWeights', () => {
  it('decrease strictly from the worst tier down to 1', () => {
    const weights = riskTiers.map((tier) => riskWeights[tier]);
    expect(weights).toEqual([8, 6, 4, 2, 1]);
  });
});

describe('followUpWindow', () => {
  it.each([
    {
      case: 'a visit on the discharge day does not count; 7 days across the DST change',
      dischargedAt: '2025-03-03T20:00:00.000Z', // 12:00 on 3 March in Los Angeles
      days: 7,
      countsFrom: '2025-03-04T08:00:00.000Z', // midnight PST
      dueBefore: '2025-03-11T07:00:00.000Z', // midnight PDT, after 9 March
    },
    {
      case: 'the local date decides, not the UTC one',
      dischargedAt: '2025-01-10T07:30:00.000Z', // 23:30 on 9 January in Los Angeles
      days: 7,
      countsFrom: '2025-01-10T08:00:00.000Z',
      dueBefore: '2025-01-17T08:00:00.000Z',
    },
    {
      case: 'the 30-day window crosses a month end',
      dischargedAt: '2025-01-31T18:00:00.000Z',
      days: 30,
      countsFrom: '2025-02-01T08:00:00.000Z',
      dueBefore: '2025-03-03T08:00:00.000Z',
    },
  ] as const)('$case', ({ dischargedAt, days, countsFrom, dueBefore }) => {
    const window = followUpWindow(new Date(dischargedAt), days, la);
    expect(window.countsFrom.toISOString()).toBe(countsFrom);
    expect(window.dueBefore.toISOString()).toBe(dueBefore);
  });
});

describe('careDeadline', () => {
  const displacedAt = new Date('2025-03-03T12:00:00.000Z');

  it.each([
    {
      case: 'urgent: 48 hours from displacement',
      input: { perinatal: true, conditions: ['perinatal_psychosis_risk'] },
      expected: { standard: 'urgent_48_hours', dueBefore: '2025-03-05T12:00:00.000Z' },
    },
    {
      case: 'recent discharge inside the 7-day window',
      input: { dischargedAt: new Date('2025-03-01T18:00:00.000Z') },
      expected: { standard: 'fuh_7_days', dueBefore: '2025-03-09T08:00:00.000Z' },
    },
    {
      case: 'recent discharge past the 7-day window',
      input: { dischargedAt: new Date('2025-02-10T18:00:00.000Z') },
      expected: { standard: 'fuh_30_days', dueBefore: '2025-03-13T07:00:00.000Z' },
    },
    { case: 'high: the ordinary clock', input: { risk: 'high' }, expected: null },
  ] as const)('$case', ({ input, expected }) => {
    const deadline = careDeadline(buildRiskInput(input), now, displacedAt, la);
    expect(
      deadline && { standard: deadline.standard, dueBefore: deadline.dueBefore.toISOString() },
    ).toEqual(expected);
  });
});

describe('rankByRisk', () => {
  function buildRankInput(overrides: Partial<RankInput> & { id: string }): RankInput {
    return { ...buildRiskInput(), lastCareAt: new Date('2025-02-20T17:00:00.000Z'), ...overrides };
  }

  it('orders worst tier first, then longest without care, then id', () => {
    const ranked = rankByRisk(
      [
        buildRankInput({ id: 'std-b' }),
        buildRankInput({ id: 'std-a' }),
        buildRankInput({ id: 'std-old', lastCareAt: new Date('2025-01-01T00:00:00.000Z') }),
        buildRankInput({ id: 'std-never', lastCareAt: null }),
        buildRankInput({ id: 'peri', perinatal: true }),
        buildRankInput({ id: 'high', risk: 'high' }),
        buildRankInput({ id: 'discharged', dischargedAt: new Date('2025-02-25T00:00:00.000Z') }),
        buildRankInput({ id: 'urgent', perinatal: true, conditions: ['perinatal_psychosis_risk'] }),
      ],
      now,
    );
    expect(ranked.map((entry) => entry.patient.id)).toEqual([
      'urgent',
      'discharged',
      'high',
      'peri',
      'std-never',
      'std-old',
      'std-a',
      'std-b',
    ]);
    expect(ranked.map((entry) => entry.weight)).toEqual([8, 6, 4, 2, 1, 1, 1, 1]);
  });

  it('gives the same order whatever the input order', () => {
    const patients = ['c', 'a', 'b'].map((id) => buildRankInput({ id }));
    const ids = (list: RankInput[]) => rankByRisk(list, now).map((entry) => entry.patient.id);
    expect(ids(patients)).toEqual(ids([...patients].reverse()));
  });
});
