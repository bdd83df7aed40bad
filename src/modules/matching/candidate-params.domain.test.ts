import { describe, expect, it } from 'vitest';
import {
  defaultCandidateParams,
  haversineKm,
  resolveParams,
  unmatchedCost,
  weekdaysBetween,
} from './candidate-params.domain.ts';
import { riskWeights } from './risk.domain.ts';

describe('weekdaysBetween', () => {
  it.each([
    { case: 'Monday to Wednesday', from: '2025-03-03T17:00Z', to: '2025-03-05T18:00Z', days: 2 },
    { case: 'the same day', from: '2025-03-03T08:00Z', to: '2025-03-03T20:00Z', days: 0 },
    { case: 'Friday to Monday', from: '2025-03-07T17:00Z', to: '2025-03-10T09:00Z', days: 1 },
    { case: 'Saturday to Sunday', from: '2025-03-08T10:00Z', to: '2025-03-09T10:00Z', days: 0 },
    { case: 'Monday to next Monday', from: '2025-03-03T17:00Z', to: '2025-03-10T17:00Z', days: 5 },
    { case: 'backwards', from: '2025-03-10T17:00Z', to: '2025-03-03T17:00Z', days: 0 },
    { case: 'a whole year', from: '2025-01-01T12:00Z', to: '2025-12-31T12:00Z', days: 260 },
  ])('$case: $days', ({ from, to, days }) => {
    expect(weekdaysBetween(new Date(from), new Date(to))).toBe(days);
  });
});

describe('haversineKm', () => {
  it('measures Los Angeles to San Francisco as about 559 km', () => {
    const km = haversineKm({ lat: 34.0522, lon: -118.2437 }, { lat: 37.7749, lon: -122.4194 });
    expect(km).toBeCloseTo(559.1, 0);
  });

  it('is 0 for the same place', () => {
    expect(haversineKm({ lat: 34.17, lon: -118.6 }, { lat: 34.17, lon: -118.6 })).toBe(0);
  });
});

describe('resolveParams', () => {
  it('keeps the defaults it is not given', () => {
    const params = resolveParams({ maxTravelKm: 25, costs: { outsideNetwork: 9 } });
    expect(params.maxTravelKm).toBe(25);
    expect(params.equivalenceFloor).toBe(0.5);
    expect(params.costs).toEqual({ ...defaultCandidateParams.costs, outsideNetwork: 9 });
  });
});

describe('unmatchedCost', () => {
  it.each(Object.entries(riskWeights))('is 200 000 × the %s weight', (_tier, weight) => {
    expect(unmatchedCost(weight)).toBe(200_000 * weight);
  });

  it('follows a changed penalty', () => {
    expect(unmatchedCost(2, { costs: { unmatched: 50 } })).toBe(100_000);
  });
});
