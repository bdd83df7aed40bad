import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test/errors.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import {
  assertContactAllowed,
  failedInARow,
  referralStatuses,
  resolveTransition,
  transitions,
  type ReferralStatus,
  type TransitionInput,
} from './referrals.domain.ts';

const at = new Date('2025-03-03T17:00:00.000Z');
const sentAt = new Date('2025-03-01T17:00:00.000Z');

/** The inputs a move needs to be complete. */
function inputFor(to: ReferralStatus): TransitionInput {
  if (to === 'declined') return { to, declineReason: 'not_eligible' };
  if (to === 'scheduled') return { to, firstAppointmentAt: new Date('2025-03-10T17:00:00.000Z') };
  return { to };
}

/** Written out by hand from the issue: every move the state machine allows. */
const allowed = new Set([
  'draft→sent',
  'draft→cancelled',
  'sent→accepted',
  'sent→declined',
  'sent→expired',
  'sent→cancelled',
  'accepted→scheduled',
  'accepted→declined',
  'accepted→cancelled',
  'scheduled→completed',
  'scheduled→no_show',
  'scheduled→cancelled',
]);

describe('the referral state machine', () => {
  it('has exactly the moves written out by hand', () => {
    const table = new Set(
      referralStatuses.flatMap((from) =>
        (transitions[from] as readonly string[]).map((to) => `${from}→${to}`),
      ),
    );
    expect(table).toEqual(allowed);
  });

  for (const from of referralStatuses)
    for (const to of referralStatuses)
      it(`${allowed.has(`${from}→${to}`) ? 'allows' : 'refuses'} ${from} → ${to}`, () => {
        const referral = { id: 'r', status: from, history: [], sentAt };
        const code = codeOf(() => resolveTransition(referral, inputFor(to), at, 'user:u'));
        expect(code).toBe(allowed.has(`${from}→${to}`) ? null : 'INVALID_TRANSITION');
      });

  it('stamps each move with when and by whom, and keeps the earlier ones', () => {
    const first = resolveTransition(
      { id: 'r', status: 'draft', history: [], sentAt: null },
      { to: 'sent' },
      at,
      'user:a',
    );
    expect(first).toMatchObject({ status: 'sent', sentAt: at });
    const second = resolveTransition(
      { id: 'r', status: 'sent', history: first.history, sentAt: at },
      { to: 'declined', declineReason: 'no_capacity', note: 'full until April' },
      new Date('2025-03-04T17:00:00.000Z'),
      'user:b',
    );
    expect(second.history).toEqual([
      { from: 'draft', to: 'sent', at: '2025-03-03T17:00:00.000Z', by: 'user:a' },
      {
        from: 'sent',
        to: 'declined',
        at: '2025-03-04T17:00:00.000Z',
        by: 'user:b',
        reason: 'no_capacity',
        note: 'full until April',
      },
    ]);
    expect(second.declineReason).toBe('no_capacity');
  });

  it.each<[string, ReferralStatus, TransitionInput]>([
    ['a decline without a reason', 'sent', { to: 'declined' }],
    ['a reason on anything but a decline', 'sent', { to: 'accepted', declineReason: 'other' }],
    ['a schedule without its first appointment', 'accepted', { to: 'scheduled' }],
    [
      'a first appointment before the referral was sent',
      'accepted',
      { to: 'scheduled', firstAppointmentAt: new Date('2025-02-01T17:00:00.000Z') },
    ],
    [
      'a first appointment on a move that is not scheduling',
      'scheduled',
      { to: 'completed', firstAppointmentAt: at },
    ],
  ])('refuses %s', (_title, status, input) => {
    expect(
      codeOf(() => resolveTransition({ id: 'r', status, history: [], sentAt }, input, at, 'u')),
    ).toBe('VALIDATION_FAILED');
  });
});

describe('outreach', () => {
  it.each<[string, Parameters<typeof assertContactAllowed>, ErrorCode | null]>([
    ['any channel when none is listed', [{}, 'sms', 'no_answer'], null],
    ['a listed channel', [{ channels: ['phone', 'letter'] }, 'letter', 'reached'], null],
    ['no texts', [{ channels: ['phone'] }, 'sms', 'no_answer'], 'CONFLICT'],
    ['do not contact', [{ channels: [] }, 'phone', 'no_answer'], 'CONFLICT'],
    ['in person, always', [{ channels: [] }, 'in_person', 'reached'], null],
    [
      'no message where none may be left',
      [{ doNotLeaveMessage: true }, 'phone', 'left_message'],
      'CONFLICT',
    ],
  ])('%s', (_title, args, expected) => {
    expect(
      codeOf(() => {
        assertContactAllowed(...args);
      }),
    ).toBe(expected);
  });

  it('counts failed attempts since the patient was last reached', () => {
    expect(
      failedInARow(['no_answer', 'wrong_number', 'left_message', 'reached', 'no_answer']),
    ).toBe(3);
    expect(failedInARow(['declined', 'no_answer'])).toBe(0);
    expect(failedInARow([])).toBe(0);
  });
});
