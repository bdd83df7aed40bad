import { describe, expect, it } from 'vitest';
import { localDateOf, zonedTimeToUtc } from './clock.ts';

const la = 'America/Los_Angeles';
const wall = (iso: string) => {
  const [date = '', time = ''] = iso.split('T');
  const [year, month, day] = date.split('-').map(Number);
  const [hour, minute] = time.split(':').map(Number);
  return {
    year: year ?? 0,
    month: month ?? 0,
    day: day ?? 0,
    hour: hour ?? 0,
    minute: minute ?? 0,
    second: 0,
  };
};

describe('zonedTimeToUtc', () => {
  it.each([
    ['winter (PST)', '2025-01-15T18:00', '2025-01-16T02:00:00.000Z'],
    ['summer (PDT)', '2025-07-15T18:00', '2025-07-16T01:00:00.000Z'],
    ['spring-forward gap moves later', '2025-03-09T02:30', '2025-03-09T10:30:00.000Z'],
    ['just after spring forward', '2025-03-09T03:00', '2025-03-09T10:00:00.000Z'],
    ['fall-back overlap takes the earlier', '2025-11-02T01:30', '2025-11-02T08:30:00.000Z'],
    ['after fall back', '2025-11-02T02:00', '2025-11-02T10:00:00.000Z'],
    ['new year midnight', '2026-01-01T00:00', '2026-01-01T08:00:00.000Z'],
  ])('%s', (_name, local, expected) => {
    expect(zonedTimeToUtc(wall(local), la).toISOString()).toBe(expected);
  });

  it('is UTC itself in UTC', () => {
    expect(zonedTimeToUtc(wall('2025-03-09T02:30'), 'UTC').toISOString()).toBe(
      '2025-03-09T02:30:00.000Z',
    );
  });
});

describe('localDateOf', () => {
  it('gives the calendar date in the zone, not in UTC', () => {
    expect(localDateOf(new Date('2025-01-16T02:00:00Z'), la)).toBe('2025-01-15');
    expect(localDateOf(new Date('2025-01-16T08:00:00Z'), la)).toBe('2025-01-16');
  });
});
