import { describe, expect, it } from 'vitest';
import { rruleProblem, sessionTimes } from './schedule.domain.ts';

const la = 'America/Los_Angeles';

describe('rruleProblem', () => {
  it.each([
    ['FREQ=WEEKLY;BYDAY=TU;BYHOUR=18;BYMINUTE=0', null],
    ['RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;BYHOUR=9;BYMINUTE=30', null],
    ['FREQ=WEEKLY;BYDAY=TU', 'must set exactly one BYHOUR and one BYMINUTE'],
    ['FREQ=HOURLY;BYHOUR=9;BYMINUTE=0', 'FREQ must be DAILY, WEEKLY or MONTHLY'],
    [
      'DTSTART:20250101T000000Z\nRRULE:FREQ=WEEKLY;BYHOUR=9;BYMINUTE=0',
      'DTSTART and TZID are not allowed; use startsOn and the organization time zone',
    ],
    ['not a rule', 'is not an RFC 5545 RRULE'],
  ])('%s', (rule, expected) => {
    expect(rruleProblem(rule)).toBe(expected);
  });
});

describe('sessionTimes', () => {
  const weeklyTuesday = {
    rrule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=18;BYMINUTE=0',
    startsOn: '2025-01-01',
    endsOn: null,
    sessionMinutes: 90,
  };

  it('keeps the wall-clock time across the spring DST change', () => {
    const times = sessionTimes(
      weeklyTuesday,
      new Date('2025-03-01T00:00:00Z'),
      new Date('2025-03-20T00:00:00Z'),
      la,
    );
    expect(times.map((t) => t.startsAt.toISOString())).toEqual([
      '2025-03-05T02:00:00.000Z', // Tue 4 March, 18:00 PST
      '2025-03-12T01:00:00.000Z', // Tue 11 March, 18:00 PDT
      '2025-03-19T01:00:00.000Z',
    ]);
    expect(times[0]?.endsAt.toISOString()).toBe('2025-03-05T03:30:00.000Z');
  });

  it('starts no earlier than startsOn and stops after endsOn', () => {
    const schedule = { ...weeklyTuesday, startsOn: '2025-01-08', endsOn: '2025-01-21' };
    const times = sessionTimes(
      schedule,
      new Date('2025-01-01T00:00:00Z'),
      new Date('2025-03-01T00:00:00Z'),
      la,
    );
    expect(times.map((t) => t.startsAt.toISOString())).toEqual([
      '2025-01-15T02:00:00.000Z',
      '2025-01-22T02:00:00.000Z',
    ]);
  });

  it('keeps only sessions starting inside the window', () => {
    const times = sessionTimes(
      weeklyTuesday,
      new Date('2025-01-15T02:00:00Z'),
      new Date('2025-01-22T02:00:00Z'),
      la,
    );
    expect(times.map((t) => t.startsAt.toISOString())).toEqual(['2025-01-15T02:00:00.000Z']);
  });
});
