import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test/errors.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import {
  assertGroupTakesPatients,
  assertSeatAvailable,
  resolveEnrollmentPatch,
  takesSeat,
  type Enrollment,
  type EnrollmentChange,
  type EnrollmentPatch,
  type EnrollmentStatus,
} from './enrollments.domain.ts';

type Current = Pick<Enrollment, 'status' | 'startsOn' | 'endsOn' | 'endReason'>;
const open = (status: EnrollmentStatus): Current => ({
  status,
  startsOn: '2025-02-01',
  endsOn: null,
  endReason: null,
});
const ended: Current = {
  status: 'ended',
  startsOn: '2025-02-01',
  endsOn: '2025-02-20',
  endReason: 'moved',
};
const today = '2025-03-03';

describe('resolveEnrollmentPatch', () => {
  it.each<[string, Current, EnrollmentPatch, EnrollmentChange | ErrorCode]>([
    [
      'ending defaults endsOn to today',
      open('active'),
      { status: 'ended' },
      { status: 'ended', endsOn: today, endReason: null },
    ],
    [
      'ending with a date and a reason',
      open('paused'),
      { status: 'ended', endsOn: '2025-02-15', endReason: 'moved' },
      { status: 'ended', endsOn: '2025-02-15', endReason: 'moved' },
    ],
    [
      'ending before it began ends on the start date',
      { ...open('waitlisted'), startsOn: '2025-04-01' },
      { status: 'ended' },
      { status: 'ended', endsOn: '2025-04-01', endReason: null },
    ],
    [
      'an end before the start',
      open('active'),
      { status: 'ended', endsOn: '2025-01-31' },
      'VALIDATION_FAILED',
    ],
    ['endsOn without ending', open('active'), { endsOn: '2025-03-01' }, 'VALIDATION_FAILED'],
    ['endReason without ending', open('active'), { endReason: 'why' }, 'VALIDATION_FAILED'],
    [
      'waitlisted to active',
      open('waitlisted'),
      { status: 'active' },
      { status: 'active', endsOn: null, endReason: null },
    ],
    ['reopening an ended enrollment', ended, { status: 'active' }, 'INVALID_TRANSITION'],
    [
      'correcting the end date of an ended enrollment',
      ended,
      { endsOn: '2025-02-21' },
      { status: 'ended', endsOn: '2025-02-21', endReason: 'moved' },
    ],
    [
      'an empty patch changes nothing',
      ended,
      {},
      { status: 'ended', endsOn: '2025-02-20', endReason: 'moved' },
    ],
  ])('%s', (_title, current, patch, expected) => {
    if (typeof expected === 'string') {
      expect(codeOf(() => resolveEnrollmentPatch(current, patch, today))).toBe(expected);
    } else {
      expect(resolveEnrollmentPatch(current, patch, today)).toEqual(expected);
    }
  });
});

describe('seats', () => {
  it.each<[EnrollmentStatus | undefined, EnrollmentStatus, boolean]>([
    [undefined, 'active', true],
    [undefined, 'waitlisted', false],
    ['waitlisted', 'active', true],
    ['paused', 'active', true],
    ['active', 'active', false],
    ['active', 'ended', false],
  ])('%s → %s takes a seat: %s', (from, to, expected) => {
    expect(takesSeat(from, to)).toBe(expected);
  });

  const group = { id: 'g', capacity: 3, status: 'active', seatsTaken: 0 };
  it.each<[string, typeof group, number, ErrorCode | null]>([
    ['a free seat', group, 2, null],
    ['the last seat taken', group, 3, 'GROUP_FULL'],
    ['over-full after a capacity cut', { ...group, capacity: 1 }, 2, 'GROUP_FULL'],
  ])('%s', (_title, g, enrolled, expected) => {
    expect(
      codeOf(() => {
        assertSeatAvailable({ ...g, seatsTaken: enrolled });
      }),
    ).toBe(expected);
  });

  it.each([
    ['active', null],
    ['paused', 'CONFLICT'],
    ['ended', 'CONFLICT'],
  ])('a %s group takes patients: %s', (status, expected) => {
    expect(
      codeOf(() => {
        assertGroupTakesPatients({ ...group, status });
      }),
    ).toBe(expected);
  });
});
