import type { ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Referral, ReferralStatus } from '../referrals/referrals.domain.ts';
import { coding, concept, instantText, reference } from './fhir.domain.ts';
import { identifiersOut, type ExternalId } from './map.domain.ts';

/*
 * A referral is two resources with the referral's id: the ServiceRequest is the order (who is
 * referred to whom, when, why), the Task is its closed loop (where it stands, by when it must be
 * answered, why it was declined, when the patient is seen). FHIR's workflow pattern splits them
 * so: the request says what is wanted, the task tracks the doing.
 */

type RequestStatus = NonNullable<ServiceRequest['status']>;
type TaskStatus = NonNullable<Task['status']>;

/**
 * ServiceRequest.status. A referral that ended without the patient being seen (declined, expired,
 * no-show, cancelled) is `revoked`: R4 says "terminated prior to the known full completion of the
 * intended actions; no further activity should occur". That holds for a no-show too: the service
 * asked for, a first visit, was not delivered, and a re-match makes a new referral rather than
 * reviving this one. `completed` is kept for a referral whose patient was seen.
 */
export const requestStatusOf: Readonly<Record<ReferralStatus, RequestStatus>> = {
  draft: 'draft',
  sent: 'active',
  accepted: 'active',
  scheduled: 'active',
  completed: 'completed',
  declined: 'revoked',
  expired: 'revoked',
  no_show: 'revoked',
  cancelled: 'revoked',
};

/** Task.status: the closed loop in FHIR's task state machine (Continuity's own is businessStatus). */
export const taskStatusOf: Readonly<Record<ReferralStatus, TaskStatus>> = {
  draft: 'draft',
  sent: 'requested',
  accepted: 'accepted',
  declined: 'rejected',
  scheduled: 'in-progress',
  completed: 'completed',
  no_show: 'failed',
  expired: 'failed',
  cancelled: 'cancelled',
};

/** The referral statuses a FHIR status code stands for (for search). */
export function referralStatusesFor(
  map: Readonly<Record<ReferralStatus, string>>,
  code: string,
): ReferralStatus[] {
  return (Object.keys(map) as ReferralStatus[]).filter((status) => map[status] === code);
}

const terminal: readonly ReferralStatus[] = [
  'declined',
  'expired',
  'completed',
  'no_show',
  'cancelled',
];

/** When the referral reached its current terminal status (its last history entry), if it has. */
function endedAt(referral: Referral): string | undefined {
  if (!terminal.includes(referral.status)) return undefined;
  const last = referral.history.findLast((entry) => entry.to === referral.status);
  return last?.at ?? instantText(referral.updatedAt);
}

function meta(referral: Referral) {
  return { versionId: String(referral.version), lastUpdated: instantText(referral.updatedAt) };
}

const authoredOn = (referral: Referral) => instantText(referral.sentAt ?? referral.createdAt);

export function serviceRequestOf(
  referral: Referral,
  external: readonly ExternalId[],
): ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    id: referral.id,
    meta: meta(referral),
    identifier: identifiersOut(referral.id, external),
    status: requestStatusOf[referral.status],
    intent: 'order',
    subject: reference('Patient', referral.patientId),
    // The timely-access deadline: the first visit should take place by then.
    ...(referral.dueAt ? { occurrencePeriod: { end: instantText(referral.dueAt) } } : {}),
    authoredOn: authoredOn(referral),
    performer: [reference('HealthcareService', referral.providerId)],
    ...(referral.reason ? { reasonCode: [{ text: referral.reason }] } : {}),
  };
}

/** The deadline the loop runs against: the answer while it waits for one, then the first visit. */
function deadline(referral: Referral): Date | null {
  return referral.status === 'sent' ? (referral.responseDueAt ?? referral.dueAt) : referral.dueAt;
}

export function taskOf(referral: Referral, external: readonly ExternalId[]): Task {
  const due = deadline(referral);
  const ended = endedAt(referral);
  const start = referral.sentAt ? instantText(referral.sentAt) : undefined;
  return {
    resourceType: 'Task',
    id: referral.id,
    meta: meta(referral),
    identifier: identifiersOut(referral.id, external),
    status: taskStatusOf[referral.status],
    ...(referral.declineReason
      ? { statusReason: concept('decline-reason', referral.declineReason) }
      : {}),
    businessStatus: concept('referral-status', referral.status),
    intent: 'order',
    focus: reference('ServiceRequest', referral.id),
    for: reference('Patient', referral.patientId),
    ...(start || ended
      ? { executionPeriod: { ...(start ? { start } : {}), ...(ended ? { end: ended } : {}) } }
      : {}),
    authoredOn: authoredOn(referral),
    lastModified: instantText(referral.updatedAt),
    owner: reference('HealthcareService', referral.providerId),
    ...(due ? { restriction: { period: { end: instantText(due) } } } : {}),
    ...(referral.firstAppointmentAt
      ? {
          output: [
            {
              type: { coding: [coding('referral-output', 'first-appointment')] },
              valueDateTime: instantText(referral.firstAppointmentAt),
            },
          ],
        }
      : {}),
  };
}
