/** The referral as the API answers it (src/modules/referrals/referrals.routes.ts). */

import type { ReferralStatus } from '../../../../src/modules/referrals/referrals.domain.ts';

export type { ReferralStatus };

export const actionText: Record<string, string> = {
  awaiting_response: 'No answer from the provider by the response deadline',
  declined_without_plan: 'Failed, and the patient has no new plan',
  visit_after_deadline: 'First visit after the patient’s deadline',
};

export interface Referral {
  id: string;
  patientId: string;
  providerId: string;
  proposalId: string | null;
  status: ReferralStatus;
  dueAt: string | null;
  sentAt: string | null;
  responseDueAt: string | null;
  acceptedAt: string | null;
  firstAppointmentAt: string | null;
  declineReason: string | null;
  reason: string | null;
  history: { from: string; to: string; at: string; by: string; reason?: string; note?: string }[];
  version: number;
  createdAt: string;
  updatedAt: string;
  action?: string | null;
}

const open: readonly ReferralStatus[] = ['draft', 'sent', 'accepted', 'scheduled'];

/** The deadline that matters now, and whether it has passed. */
export function deadlineOf(
  referral: Referral,
  now: number = Date.now(),
): { what: string; at: string; overdue: boolean } | null {
  if (!open.includes(referral.status)) return null;
  if (referral.status === 'sent' && referral.responseDueAt)
    return {
      what: 'Answer due',
      at: referral.responseDueAt,
      overdue: new Date(referral.responseDueAt).getTime() < now,
    };
  if (referral.dueAt) {
    const late =
      referral.status === 'scheduled' && referral.firstAppointmentAt
        ? referral.firstAppointmentAt > referral.dueAt
        : new Date(referral.dueAt).getTime() < now;
    return { what: 'Seen by', at: referral.dueAt, overdue: late };
  }
  return null;
}
