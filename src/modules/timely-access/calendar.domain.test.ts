import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDateOf, wallTimeOf } from '../../shared/clock.ts';
import {
  addBusinessDays,
  addCalendarDays,
  addClockHours,
  businessCalendar,
  businessDaysBetween,
  californiaStateHolidays,
  isBusinessDay,
  nthBusinessDayAfter,
  withClosures,
} from './calendar.domain.ts';

const la = 'America/Los_Angeles';
const calendar = businessCalendar({ fromYear: 2016, toYear: 2028 });

describe('californiaStateHolidays', () => {
  it('gives the 2024 state holidays CalHR published (no Juneteenth; Chávez Day moved to Monday)', () => {
    expect(californiaStateHolidays(2024, 2024)).toEqual([
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-04-01',
      '2024-05-27',
      '2024-07-04',
      '2024-09-02',
      '2024-11-11',
      '2024-11-28',
      '2024-11-29',
      '2024-12-25',
    ]);
  });

  it('gives the 2017 list (New Year on Sunday → Monday, Veterans Day on Saturday → Friday)', () => {
    expect(californiaStateHolidays(2017, 2017)).toEqual([
      '2017-01-02',
      '2017-01-16',
      '2017-02-20',
      '2017-03-31',
      '2017-05-29',
      '2017-07-04',
      '2017-09-04',
      '2017-11-10',
      '2017-11-23',
      '2017-11-24',
      '2017-12-25',
    ]);
  });

  it('does not move a Saturday Independence Day to Friday (2026)', () => {
    const holidays = californiaStateHolidays(2026, 2026);
    expect(holidays).not.toContain('2026-07-03');
    expect(holidays).not.toContain('2026-07-04');
    expect(holidays).toContain('2026-12-25');
  });

  it('moves a Sunday Independence Day to Monday (2027)', () => {
    expect(californiaStateHolidays(2027, 2027)).toContain('2027-07-05');
  });
});

describe('isBusinessDay', () => {
  it.each([
    { date: '2025-03-07', expected: true, why: 'a Friday' },
    { date: '2025-03-08', expected: false, why: 'a Saturday' },
    { date: '2025-03-09', expected: false, why: 'a Sunday' },
    { date: '2025-11-27', expected: false, why: 'Thanksgiving' },
    { date: '2025-11-28', expected: false, why: 'the day after Thanksgiving' },
    { date: '2025-06-19', expected: true, why: 'Juneteenth is not a state holiday' },
    { date: '2025-12-24', expected: true, why: 'Christmas Eve is not a state holiday' },
  ])('$date: $expected ($why)', ({ date, expected }) => {
    expect(isBusinessDay(calendar, date)).toBe(expected);
  });

  it('counts a closure the operator adds', () => {
    expect(isBusinessDay(withClosures(calendar, ['2025-12-24']), '2025-12-24')).toBe(false);
  });

  it('refuses a date that does not exist rather than rolling it over', () => {
    expect(() => withClosures(calendar, ['2025-02-30'])).toThrow(RangeError);
    expect(() => isBusinessDay(calendar, '2025-3-7')).toThrow(RangeError);
  });

  it('refuses a date outside the years it was built for', () => {
    expect(() => isBusinessDay(calendar, '2029-01-02')).toThrow(RangeError);
  });
});

describe('addBusinessDays', () => {
  it.each([
    {
      case: 'Monday request, 10 days, across spring-forward',
      from: '2025-03-03T18:00:00Z', // Mon 10:00 PST
      n: 10,
      deadline: '2025-03-18T07:00:00Z', // Tue 00:00 PDT, after Mon 17 March
    },
    {
      case: 'Friday 23:59 request: Friday does not count',
      from: '2025-03-08T07:59:00Z', // Fri 7 March 23:59 PST (already Saturday in UTC)
      n: 1,
      deadline: '2025-03-11T07:00:00Z', // after Mon 10 March
    },
    {
      case: 'Friday 23:59 request, 10 days',
      from: '2025-03-08T07:59:00Z',
      n: 10,
      deadline: '2025-03-22T07:00:00Z', // after Fri 21 March
    },
    {
      case: 'Friday 16:30 request, already Saturday in UTC',
      from: '2025-03-08T00:30:00Z',
      n: 1,
      deadline: '2025-03-11T07:00:00Z',
    },
    {
      case: 'Saturday request',
      from: '2025-03-08T20:00:00Z',
      n: 1,
      deadline: '2025-03-11T07:00:00Z',
    },
    {
      case: 'Thanksgiving and the day after are skipped',
      from: '2025-11-26T17:00:00Z', // Wed 09:00 PST
      n: 1,
      deadline: '2025-12-02T08:00:00Z', // after Mon 1 December
    },
    {
      case: 'across fall-back',
      from: '2025-10-31T17:00:00Z', // Fri 10:00 PDT
      n: 1,
      deadline: '2025-11-04T08:00:00Z', // Tue 00:00 PST, after Mon 3 November
    },
    {
      case: 'Sunday holiday observed on Monday',
      from: '2027-07-02T17:00:00Z', // Fri 10:00 PDT; 4 July is a Sunday
      n: 1,
      deadline: '2027-07-07T07:00:00Z', // after Tue 6 July
    },
    {
      case: 'Saturday holiday: the Friday before stays a business day',
      from: '2026-07-02T17:00:00Z', // Thu; 4 July is a Saturday
      n: 1,
      deadline: '2026-07-04T07:00:00Z', // after Fri 3 July
    },
    {
      case: 'Christmas and New Year across the year end',
      from: '2025-12-24T18:00:00Z', // Wed 10:00 PST
      n: 5,
      deadline: '2026-01-03T08:00:00Z', // 26, 29, 30, 31 Dec, 2 Jan
    },
    {
      case: 'zero days: the end of the request day',
      from: '2025-03-03T18:00:00Z',
      n: 0,
      deadline: '2025-03-04T08:00:00Z',
    },
  ])('$case', ({ from, n, deadline }) => {
    expect(addBusinessDays(calendar, new Date(from), n).toISOString()).toBe(
      new Date(deadline).toISOString(),
    );
  });

  it('takes a local date as well as an instant', () => {
    expect(addBusinessDays(calendar, '2025-03-07', 1).toISOString()).toBe(
      '2025-03-11T07:00:00.000Z',
    );
  });

  it('skips a closure the operator adds', () => {
    const from = new Date('2025-03-03T18:00:00Z');
    expect(addBusinessDays(calendar, from, 2).toISOString()).toBe('2025-03-06T08:00:00.000Z');
    const closed = withClosures(calendar, ['2025-03-05']);
    expect(addBusinessDays(closed, from, 2).toISOString()).toBe('2025-03-07T08:00:00.000Z');
  });

  it('refuses a negative or fractional number of days', () => {
    expect(() => addBusinessDays(calendar, '2025-03-03', -1)).toThrow(RangeError);
    expect(() => addBusinessDays(calendar, '2025-03-03', 1.5)).toThrow(RangeError);
  });
});

describe('businessDaysBetween', () => {
  it.each([
    {
      case: 'Friday 23:59 to Monday',
      from: '2025-03-08T07:59:00Z',
      to: '2025-03-10T16:00:00Z',
      n: 1,
    },
    { case: 'two weeks', from: '2025-03-03', to: '2025-03-17', n: 10 },
    { case: 'same day', from: '2025-03-03T16:00:00Z', to: '2025-03-04T07:59:00Z', n: 0 },
    { case: 'Friday to Saturday', from: '2025-03-07', to: '2025-03-08', n: 0 },
    { case: 'backwards', from: '2025-03-17', to: '2025-03-03', n: -10 },
    { case: 'over Thanksgiving', from: '2025-11-26', to: '2025-12-01', n: 1 },
    { case: 'the Saturday after the 10th day', from: '2025-03-07', to: '2025-03-22', n: 10 },
  ])('$case: $n', ({ from, to, n }) => {
    const at = (s: string): Date | string => (s.length === 10 ? s : new Date(s));
    expect(businessDaysBetween(calendar, at(from), at(to))).toBe(n);
  });
});

describe('addClockHours', () => {
  it.each([
    {
      case: '48 hours across spring-forward end an hour later on the wall clock',
      from: '2025-03-08T18:00:00Z', // Sat 10:00 PST
      hours: 48,
      to: '2025-03-10T18:00:00Z',
      wallHour: 11, // Mon 11:00 PDT
    },
    {
      case: '48 hours across fall-back end an hour earlier on the wall clock',
      from: '2025-11-01T17:00:00Z', // Sat 10:00 PDT
      hours: 48,
      to: '2025-11-03T17:00:00Z',
      wallHour: 9, // Mon 09:00 PST
    },
    {
      case: '96 hours from Friday 23:59',
      from: '2025-03-08T07:59:00Z',
      hours: 96,
      to: '2025-03-12T07:59:00Z',
      wallHour: 0, // Wed 00:59 PDT
    },
  ])('$case', ({ from, hours, to, wallHour }) => {
    const result = addClockHours(new Date(from), hours);
    expect(result.toISOString()).toBe(new Date(to).toISOString());
    expect(wallTimeOf(result, la).hour).toBe(wallHour);
  });
});

// Instants from 2025-01-01 to 2026-06-30: 20 business days later still lies inside the calendar.
const instant = fc
  .integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 5, 30) })
  .map((ms) => new Date(ms));
const days = fc.integer({ min: 0, max: 20 });
const dateIn2025 = fc.integer({ min: 0, max: 540 }).map((d) => addCalendarDays('2025-01-01', d));

describe('calendar properties', () => {
  it('adding a holiday never shortens a deadline, and one inside the window lengthens it', () => {
    fc.assert(
      fc.property(instant, days, dateIn2025, (from, n, holiday) => {
        const before = addBusinessDays(calendar, from, n);
        const after = addBusinessDays(withClosures(calendar, [holiday]), from, n);
        expect(after.getTime()).toBeGreaterThanOrEqual(before.getTime());
        const inside =
          isBusinessDay(calendar, holiday) &&
          holiday > localDateOf(from, la) &&
          holiday <= nthBusinessDayAfter(calendar, from, n);
        if (inside) expect(after.getTime()).toBeGreaterThan(before.getTime());
      }),
    );
  });

  it('more business days never give an earlier deadline', () => {
    fc.assert(
      fc.property(instant, days, days, (from, a, b) => {
        const [n, m] = a <= b ? [a, b] : [b, a];
        const dn = addBusinessDays(calendar, from, n).getTime();
        const dm = addBusinessDays(calendar, from, m).getTime();
        if (n === m) expect(dm).toBe(dn);
        else expect(dm).toBeGreaterThan(dn);
      }),
    );
  });

  it('a deadline is a local midnight right after the n-th business day', () => {
    fc.assert(
      fc.property(instant, days, (from, n) => {
        const deadline = addBusinessDays(calendar, from, n);
        const wall = wallTimeOf(deadline, la);
        expect([wall.hour, wall.minute, wall.second]).toEqual([0, 0, 0]);
        const last = nthBusinessDayAfter(calendar, from, n);
        expect(localDateOf(deadline, la)).toBe(addCalendarDays(last, 1));
        expect(businessDaysBetween(calendar, from, last)).toBe(n);
      }),
    );
  });

  it('an instant is before the deadline exactly when its date is on or before the n-th day', () => {
    fc.assert(
      fc.property(instant, days, fc.integer({ min: 0, max: 40 * 86_400_000 }), (from, n, gap) => {
        const at = new Date(from.getTime() + gap);
        const inTime = at < addBusinessDays(calendar, from, n);
        expect(inTime).toBe(localDateOf(at, la) <= nthBusinessDayAfter(calendar, from, n));
        if (businessDaysBetween(calendar, from, at) > n) expect(inTime).toBe(false);
      }),
    );
  });
});
