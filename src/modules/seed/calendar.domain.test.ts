import { describe, expect, it } from 'vitest';
import { localDateOf, zonedTimeToUtc } from '../../shared/clock.ts';
import { LocalCalendar } from './calendar.domain.ts';
import { Rng, streamOf } from './prng.domain.ts';

const la = 'America/Los_Angeles';

describe('LocalCalendar', () => {
  // Day 0 is Monday 3 March 2025; the range spans both 2025 daylight-saving changes.
  const calendar = new LocalCalendar(new Date('2025-03-03T17:00:00Z'), la);

  it.each([
    [0, '2025-03-03', 1],
    [6, '2025-03-09', 0],
    [-3, '2025-02-28', 5],
  ])('day %i is %s (weekday %i)', (day, date, weekday) => {
    expect(calendar.date(day)).toBe(date);
    expect(calendar.weekday(day)).toBe(weekday);
    expect(calendar.dayOfDate(date)).toBe(day);
  });

  it('places wall-clock times exactly, across DST changes, and finds their day again', () => {
    for (let day = -400; day <= 400; day++) {
      const [year, month, dayOfMonth] = calendar.date(day).split('-').map(Number);
      for (const [hour, minute] of [
        [1, 30],
        [8, 0],
        [18, 30],
      ] as const) {
        const expected = zonedTimeToUtc(
          { year: year ?? 0, month: month ?? 0, day: dayOfMonth ?? 0, hour, minute, second: 0 },
          la,
        );
        const at = calendar.at(day, hour, minute);
        expect(at.toISOString()).toBe(expected.toISOString());
        expect(calendar.dayOf(at)).toBe(day);
        expect(localDateOf(at, la)).toBe(calendar.date(day));
      }
      expect(localDateOf(calendar.startOf(day), la)).toBe(calendar.date(day));
    }
  });

  it('moves weekend days to the next Monday', () => {
    expect(calendar.nextWeekday(5)).toBe(7); // Saturday 8 March → Monday 10 March
    expect(calendar.nextWeekday(0)).toBe(0);
  });
});

describe('Rng', () => {
  it('repeats its sequence for a seed, and streams differ by label and index', () => {
    const draw = (rng: Rng) => Array.from({ length: 5 }, () => rng.uint32());
    expect(draw(new Rng(42))).toEqual(draw(new Rng(42)));
    expect(draw(new Rng(42))).not.toEqual(draw(new Rng(43)));
    expect(draw(streamOf(1, 'patient', 1))).not.toEqual(draw(streamOf(1, 'patient', 2)));
    expect(draw(streamOf(1, 'patient', 1))).not.toEqual(draw(streamOf(1, 'visits', 1)));
  });

  it('keeps integers within bounds and weighted draws near their weights', () => {
    const rng = new Rng(7);
    const values = Array.from({ length: 10_000 }, () => rng.int(3, 5));
    expect(new Set(values)).toEqual(new Set([3, 4, 5]));
    const heads = Array.from({ length: 10_000 }, () =>
      rng.weighted([
        ['a', 3],
        ['b', 1],
      ] as const),
    ).filter((v) => v === 'a').length;
    expect(heads / 10_000).toBeCloseTo(0.75, 1);
    expect(
      rng
        .distinct(
          [
            ['x', 1],
            ['y', 1],
            ['z', 1],
          ] as const,
          5,
        )
        .sort(),
    ).toEqual(['x', 'y', 'z']);
  });
});
