import { describe, expect, it } from 'vitest';
import { birthDateProblem, recentDischargeWindow } from './patients.domain.ts';

describe('birthDateProblem', () => {
  it.each([
    { birthDate: '1992-05-14', today: '2025-03-03', problem: undefined },
    { birthDate: '2025-03-03', today: '2025-03-03', problem: undefined },
    { birthDate: '2025-03-04', today: '2025-03-03', problem: 'must not be in the future' },
    { birthDate: '2026-01-01', today: '2025-12-31', problem: 'must not be in the future' },
  ])('$birthDate on $today', ({ birthDate, today, problem }) => {
    expect(birthDateProblem(birthDate, today)).toBe(problem);
  });
});

describe('recentDischargeWindow', () => {
  it('is the 30 days up to now', () => {
    const window = recentDischargeWindow(new Date('2025-03-03T17:00:00.000Z'));
    expect(window.from.toISOString()).toBe('2025-02-01T17:00:00.000Z');
    expect(window.to.toISOString()).toBe('2025-03-03T17:00:00.000Z');
  });
});
