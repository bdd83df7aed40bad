import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import {
  assertGroupConsistent,
  defaultMinSize,
  openSeats,
  planSessions,
  sessionsAffected,
  wantedSessions,
  type ExistingSession,
  type GroupFields,
} from './groups.domain.ts';

const now = new Date('2025-03-03T17:00:00Z');
const at = (iso: string) => new Date(iso);
const time = (start: string, minutes = 90) => ({
  startsAt: at(start),
  endsAt: new Date(at(start).getTime() + minutes * 60_000),
});
const session = (
  id: string,
  start: string,
  overrides: Partial<ExistingSession> = {},
): ExistingSession => ({
  id,
  ...time(start),
  status: 'scheduled',
  hasAttendance: false,
  ...overrides,
});

const tue = '2025-03-04T18:00:00.000Z';
const thu = '2025-03-06T18:00:00.000Z';
const nextTue = '2025-03-11T17:00:00.000Z';

describe('planSessions', () => {
  it.each<[string, ExistingSession[], ReturnType<typeof time>[], string[], string[]]>([
    ['nothing stored: adds every wanted time', [], [time(tue), time(nextTue)], [], [tue, nextTue]],
    ['same times: keeps them, adds nothing', [session('a', tue)], [time(tue)], [], []],
    ['a time no longer wanted: drops it', [session('a', tue)], [time(thu)], ['a'], [thu]],
    [
      'same start, new length: drops and re-adds',
      [session('a', tue)],
      [time(tue, 60)],
      ['a'],
      [tue],
    ],
    [
      'a held session is kept and its time not duplicated',
      [session('a', tue, { status: 'held' })],
      [time(thu)],
      [],
      [thu],
    ],
    [
      'a cancelled session blocks a wanted time at its start',
      [session('a', tue, { status: 'cancelled' })],
      [time(tue), time(nextTue)],
      [],
      [nextTue],
    ],
    [
      'a session with attendance is kept even when its length changes',
      [session('a', tue, { hasAttendance: true })],
      [time(tue, 60)],
      [],
      [],
    ],
    [
      'a past scheduled session is never dropped',
      [session('a', '2025-03-03T16:00:00.000Z')],
      [time(tue)],
      [],
      [tue],
    ],
    [
      'nothing wanted (group ended): drops the replaceable ones',
      [session('a', tue), session('b', thu, { status: 'held' })],
      [],
      ['a'],
      [],
    ],
    [
      'duplicate wanted times are added once, in order',
      [],
      [time(nextTue), time(tue), time(nextTue)],
      [],
      [tue, nextTue],
    ],
  ])('%s', (_title, existing, wanted, drop, add) => {
    const plan = planSessions(existing, wanted, now);
    expect(plan.drop).toEqual(drop);
    expect(plan.add.map((t) => t.startsAt.toISOString())).toEqual(add);
  });
});

const group: GroupFields = {
  name: 'Postpartum support',
  specialty: 'perinatal_mood_anxiety',
  modality: 'in_person',
  language: 'en',
  accommodations: ['baby_friendly'],
  locationId: '0190f0a0-0000-7000-8000-000000000000',
  capacity: 8,
  minSize: 5,
  kind: 'open',
  status: 'active',
  rrule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0',
  sessionMinutes: 90,
  startsOn: '2025-01-07',
  endsOn: null,
};

describe('wantedSessions', () => {
  it('covers 26 weeks from now in Los Angeles wall-clock time', () => {
    const times = wantedSessions(group, now, 'America/Los_Angeles');
    expect(times).toHaveLength(26);
    expect(times[0]?.startsAt.toISOString()).toBe(tue);
    expect(times[1]?.startsAt.toISOString()).toBe(nextTue);
    expect(times.at(-1)?.startsAt.toISOString()).toBe('2025-08-26T17:00:00.000Z');
  });

  it('stops at endsOn when it comes sooner', () => {
    const times = wantedSessions({ ...group, endsOn: '2025-03-18' }, now, 'America/Los_Angeles');
    expect(times.map((t) => t.startsAt.toISOString())).toEqual([
      tue,
      nextTue,
      '2025-03-18T17:00:00.000Z',
    ]);
  });

  it('wants nothing of an ended group', () => {
    expect(wantedSessions({ ...group, status: 'ended' }, now, 'America/Los_Angeles')).toEqual([]);
  });
});

describe('sessionsAffected', () => {
  it.each<[string, Partial<GroupFields>, boolean]>([
    ['rrule', { rrule: 'FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0' }, true],
    ['startsOn', { startsOn: '2025-02-01' }, true],
    ['endsOn', { endsOn: '2025-06-01' }, true],
    ['sessionMinutes', { sessionMinutes: 60 }, true],
    ['ending the group', { status: 'ended' }, true],
    ['pausing the group', { status: 'paused' }, false],
    ['the name', { name: 'Renamed' }, false],
    ['the capacity', { capacity: 10 }, false],
  ])('%s → %s', (_field, change, expected) => {
    expect(sessionsAffected(group, { ...group, ...change })).toBe(expected);
  });
});

describe('seats and sizes', () => {
  it.each([
    [12, 5],
    [5, 5],
    [3, 3],
    [1, 1],
  ])('capacity %i gives a default minimum of %i', (capacity, expected) => {
    expect(defaultMinSize(capacity)).toBe(expected);
  });

  it.each([
    [8, 3, 5],
    [8, 8, 0],
    [4, 6, 0],
  ])('capacity %i with %i enrolled leaves %i open seats', (capacity, enrolled, expected) => {
    expect(openSeats(capacity, enrolled)).toBe(expected);
  });

  it.each<[string, Parameters<typeof assertGroupConsistent>[0], string | null]>([
    ['consistent', { capacity: 8, minSize: 5, startsOn: '2025-01-01', endsOn: null }, null],
    [
      'minSize above capacity',
      { capacity: 4, minSize: 5, startsOn: '2025-01-01', endsOn: null },
      'body.minSize',
    ],
    [
      'endsOn before startsOn',
      { capacity: 8, minSize: 5, startsOn: '2025-01-02', endsOn: '2025-01-01' },
      'body.endsOn',
    ],
  ])('%s', (_title, fields, field) => {
    let caught: unknown;
    try {
      assertGroupConsistent(fields);
    } catch (error) {
      caught = error;
    }
    if (field === null) {
      expect(caught).toBeUndefined();
    } else {
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).code).toBe('VALIDATION_FAILED');
      expect((caught as AppError).details).toEqual({
        issues: [expect.objectContaining({ field })],
      });
    }
  });
});
