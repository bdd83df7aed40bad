import { AppError } from '../../shared/errors.ts';
import type { ContactPreferences } from '../patients/patients.domain.ts';

/**
 * Closed-loop referrals (DOMAIN.md): a referral is followed from draft until the patient is seen.
 *
 *   draft → sent → accepted → scheduled → completed | no_show
 *                ↘ declined (with a reason) ↘ expired (no answer by the response deadline)
 *   and any open referral can be cancelled.
 *
 * Every transition is stamped with when and by whom. A declined, expired or no-show referral puts
 * the patient back in the re-match queue with that provider excluded.
 */

export const referralStatuses = [
  'draft',
  'sent',
  'accepted',
  'declined',
  'scheduled',
  'completed',
  'no_show',
  'expired',
  'cancelled',
] as const;
export type ReferralStatus = (typeof referralStatuses)[number];

export const declineReasons = [
  'no_capacity',
  'not_eligible',
  'patient_not_reachable',
  'other',
] as const;
export type DeclineReason = (typeof declineReasons)[number];

/** Where each status may go. Terminal statuses go nowhere. */
export const transitions = {
  draft: ['sent', 'cancelled'],
  sent: ['accepted', 'declined', 'expired', 'cancelled'],
  accepted: ['scheduled', 'declined', 'cancelled'],
  scheduled: ['completed', 'no_show', 'cancelled'],
  declined: [],
  expired: [],
  completed: [],
  no_show: [],
  cancelled: [],
} as const satisfies Record<ReferralStatus, readonly ReferralStatus[]>;

/** The outcomes that send the patient back to the re-match queue, that provider excluded. */
export const failedStatuses: readonly ReferralStatus[] = ['declined', 'expired', 'no_show'];

export interface HistoryEntry {
  from: ReferralStatus;
  to: ReferralStatus;
  at: string;
  by: string;
  reason?: DeclineReason | undefined;
  note?: string | undefined;
}

export interface Referral {
  id: string;
  patientId: string;
  providerId: string;
  proposalId: string | null;
  status: ReferralStatus;
  /** The patient's timely-access deadline for the first visit. */
  dueAt: Date | null;
  sentAt: Date | null;
  responseDueAt: Date | null;
  acceptedAt: Date | null;
  firstAppointmentAt: Date | null;
  declineReason: DeclineReason | null;
  reason: string | null;
  history: HistoryEntry[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface TransitionInput {
  to: ReferralStatus;
  /** Required to decline. */
  declineReason?: DeclineReason | undefined;
  /** Required to schedule. */
  firstAppointmentAt?: Date | undefined;
  note?: string | undefined;
}

/** What a transition changes, besides the status and its history entry. */
export interface TransitionChange {
  status: ReferralStatus;
  history: HistoryEntry[];
  sentAt?: Date;
  acceptedAt?: Date;
  firstAppointmentAt?: Date;
  declineReason?: DeclineReason;
}

function invalid(field: string, problem: string): AppError {
  return new AppError('VALIDATION_FAILED', `Invalid ${field}: ${problem}`, {
    issues: [{ field, problem }],
  });
}

/**
 * Checks a transition and says what it changes. Throws INVALID_TRANSITION for a move the state
 * machine does not allow, and VALIDATION_FAILED when a decline has no reason or a schedule no
 * first appointment (or one before the referral was sent).
 */
export function resolveTransition(
  referral: Pick<Referral, 'id' | 'status' | 'history' | 'sentAt'>,
  input: TransitionInput,
  at: Date,
  by: string,
): TransitionChange {
  const allowed: readonly ReferralStatus[] = transitions[referral.status];
  if (!allowed.includes(input.to))
    throw new AppError(
      'INVALID_TRANSITION',
      `A ${referral.status} referral cannot become ${input.to}.`,
      { id: referral.id, status: referral.status, to: input.to, allowed },
    );
  if (input.to === 'declined' && input.declineReason === undefined)
    throw invalid('declineReason', 'say why the referral was declined');
  if (input.to !== 'declined' && input.declineReason !== undefined)
    throw invalid('declineReason', 'only a decline has a reason');
  if (input.to === 'scheduled') {
    if (input.firstAppointmentAt === undefined)
      throw invalid('firstAppointmentAt', 'a scheduled referral has its first appointment');
    if (referral.sentAt !== null && input.firstAppointmentAt < referral.sentAt)
      throw invalid('firstAppointmentAt', 'the first appointment is before the referral was sent');
  } else if (input.firstAppointmentAt !== undefined)
    throw invalid('firstAppointmentAt', 'only scheduling sets the first appointment');
  const entry: HistoryEntry = {
    from: referral.status,
    to: input.to,
    at: at.toISOString(),
    by,
    ...(input.declineReason ? { reason: input.declineReason } : {}),
    ...(input.note ? { note: input.note } : {}),
  };
  return {
    status: input.to,
    history: [...referral.history, entry],
    ...(input.to === 'sent' ? { sentAt: at } : {}),
    ...(input.to === 'accepted' ? { acceptedAt: at } : {}),
    ...(input.firstAppointmentAt ? { firstAppointmentAt: input.firstAppointmentAt } : {}),
    ...(input.declineReason ? { declineReason: input.declineReason } : {}),
  };
}

export const outreachChannels = ['phone', 'sms', 'email', 'letter', 'portal', 'in_person'] as const;
export type OutreachChannel = (typeof outreachChannels)[number];
export const outreachOutcomes = [
  'reached',
  'left_message',
  'no_answer',
  'wrong_number',
  'declined',
] as const;
export type OutreachOutcome = (typeof outreachOutcomes)[number];

/** Failed attempts in a row (since the patient was last reached) that call for a person. */
export const failedAttemptsToFlag = 3;

/** An attempt that did not reach the patient. */
export const failedOutcome = (outcome: OutreachOutcome): boolean =>
  outcome !== 'reached' && outcome !== 'declined';

/**
 * Whether the patient's preferences allow contact by `channel`: no listed channels means any;
 * an empty list means do not contact; in person is always allowed. Throws CONFLICT otherwise.
 */
export function assertContactAllowed(
  preferences: ContactPreferences,
  channel: OutreachChannel,
  outcome: OutreachOutcome,
): void {
  if (outcome === 'left_message' && preferences.doNotLeaveMessage === true)
    throw new AppError('CONFLICT', 'The patient asked that no message be left.', {
      reason: 'no_messages',
    });
  if (channel === 'in_person' || preferences.channels === undefined) return;
  if (preferences.channels.length === 0)
    throw new AppError('CONFLICT', 'The patient asked not to be contacted.', {
      reason: 'do_not_contact',
    });
  if (!(preferences.channels as readonly string[]).includes(channel))
    throw new AppError(
      'CONFLICT',
      `The patient does not accept contact by ${channel}; use ${preferences.channels.join(', ')}.`,
      { reason: 'channel_not_allowed', channel, allowed: preferences.channels },
    );
}

/** Consecutive failed attempts, newest first, until the patient was last reached. */
export function failedInARow(outcomesNewestFirst: readonly OutreachOutcome[]): number {
  let count = 0;
  for (const outcome of outcomesNewestFirst) {
    if (!failedOutcome(outcome)) break;
    count++;
  }
  return count;
}
