import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test/errors.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import {
  addWeekdays,
  assertApplicable,
  assertEditable,
  assertValidDisruption,
  displacedDeadline,
  emptyScope,
  groupInScope,
  resolveEnd,
  scopeOf,
  windowOf,
  type Disruption,
} from './disruptions.domain.ts';

const tz = 'America/Los_Angeles';

describe('groupInScope', () => {
  const group = { id: 'g', locationId: 'l', serviceAreaId: 'a', facilitatorIds: ['c1', 'c2'] };
  it.each([
    ['the group named', { groupIds: ['g'] }, true],
    ['its location named', { locationIds: ['l'] }, true],
    ['its service area named', { serviceAreaIds: ['a'] }, true],
    ['every facilitator named', { clinicianIds: ['c2', 'c1', 'c9'] }, true],
    ['one facilitator of two named: the other runs it', { clinicianIds: ['c1'] }, false],
    ['another group named', { groupIds: ['h'] }, false],
  ])('%s: %s', (_title, scope, expected) => {
    expect(groupInScope(group, { ...emptyScope(), ...scope })).toBe(expected);
  });

  it('never takes a group without facilitators by clinicians', () => {
    expect(
      groupInScope({ ...group, facilitatorIds: [] }, { ...emptyScope(), clinicianIds: ['c1'] }),
    ).toBe(false);
  });
});

describe('windowOf', () => {
  it('runs from midnight of the first day to midnight after the last, local time, across DST', () => {
    // US DST began on Sunday 9 March 2025.
    expect(windowOf({ startsOn: '2025-03-08', endsOn: '2025-03-09' }, tz)).toEqual({
      from: new Date('2025-03-08T08:00:00Z'),
      until: new Date('2025-03-10T07:00:00Z'),
    });
    expect(windowOf({ startsOn: '2025-03-08', endsOn: null }, tz).until).toBeNull();
  });
});

describe('addWeekdays', () => {
  it.each([
    ['2025-03-03', 10, '2025-03-17'],
    ['2025-03-07', 1, '2025-03-10'],
    ['2025-03-08', 1, '2025-03-10'],
    ['2025-03-03', 0, '2025-03-03'],
  ])('%s + %i weekdays = %s', (from, days, expected) => {
    expect(addWeekdays(from, days)).toBe(expected);
  });
});

describe('displacedDeadline', () => {
  const now = new Date('2025-03-03T17:00:00Z');
  const standard = { conditions: [], perinatal: false, risk: 'low' as const, dischargedAt: null };

  it('gives the urgent tier 48 hours from the displacement', () => {
    const urgent = { ...standard, conditions: ['perinatal_psychosis_risk' as const] };
    expect(displacedDeadline(urgent, null, now, now, tz)).toEqual({
      standard: 'urgent_48_hours',
      dueBefore: new Date('2025-03-05T17:00:00Z'),
    });
  });

  it('gives everyone else the follow-up: 10 business days from the last visit', () => {
    const last = new Date('2025-02-24T18:00:00Z');
    expect(displacedDeadline(standard, last, now, now, tz)).toEqual({
      standard: 'follow_up_10_business_days',
      dueBefore: new Date('2025-03-11T07:00:00Z'),
    });
  });
});

describe('transitions', () => {
  const base: Disruption = {
    id: 'd',
    kind: 'strike',
    title: 't',
    scope: { ...emptyScope(), groupIds: ['g'] },
    startsOn: '2025-03-03',
    endsOn: null,
    status: 'draft',
    appliedAt: null,
    endedAt: null,
    version: 1,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
  const active = { ...base, status: 'active' as const };
  const ended = { ...base, status: 'ended' as const };

  it.each<[string, () => unknown, ErrorCode | null]>([
    [
      'edit a draft',
      () => {
        assertEditable(base);
      },
      null,
    ],
    [
      'edit an active one',
      () => {
        assertEditable(active);
      },
      'INVALID_TRANSITION',
    ],
    [
      'apply a draft',
      () => {
        assertApplicable(base);
      },
      null,
    ],
    [
      'apply an active one again',
      () => {
        assertApplicable(active);
      },
      null,
    ],
    [
      'apply an ended one',
      () => {
        assertApplicable(ended);
      },
      'INVALID_TRANSITION',
    ],
    ['end a draft', () => resolveEnd(base, '2025-03-10'), 'INVALID_TRANSITION'],
    ['end an active one', () => resolveEnd(active, '2025-03-10'), null],
    ['end before it starts', () => resolveEnd(active, '2025-03-01'), 'VALIDATION_FAILED'],
    ['end an ended one', () => resolveEnd(ended, '2025-03-10'), 'INVALID_TRANSITION'],
    [
      'an empty scope',
      () => {
        assertValidDisruption({ ...base, scope: emptyScope() });
      },
      'VALIDATION_FAILED',
    ],
    [
      'an end before the start',
      () => {
        assertValidDisruption({ ...base, endsOn: '2025-03-02' });
      },
      'VALIDATION_FAILED',
    ],
  ])('%s: %s', (_title, work, expected) => {
    expect(codeOf(work)).toBe(expected);
  });

  it('reads a stored scope with missing keys as empty lists', () => {
    expect(scopeOf({ groupIds: ['g'], junk: 1 })).toEqual({ ...emptyScope(), groupIds: ['g'] });
  });
});
