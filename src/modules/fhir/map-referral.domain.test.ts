import { describe, expect, it } from 'vitest';
import { referralStatuses, type Referral } from '../referrals/referrals.domain.ts';
import { validateResource } from '../../test/fhir-validate.ts';
import { codeSystem } from './fhir.domain.ts';
import {
  referralStatusesFor,
  serviceRequestOf,
  taskOf,
  taskStatusOf,
} from './map-referral.domain.ts';

const patientId = '00000000-0000-4000-8000-000000000001';
const providerId = '00000000-0000-4000-8000-000000000002';

function referral(overrides: Partial<Referral> = {}): Referral {
  return {
    id: '00000000-0000-4000-8000-0000000000aa',
    patientId,
    providerId,
    proposalId: null,
    status: 'draft',
    dueAt: new Date('2025-03-20T00:00:00Z'),
    sentAt: null,
    responseDueAt: null,
    acceptedAt: null,
    firstAppointmentAt: null,
    declineReason: null,
    reason: null,
    history: [],
    version: 1,
    createdAt: new Date('2025-03-01T10:00:00Z'),
    updatedAt: new Date('2025-03-01T10:00:00Z'),
    ...overrides,
  };
}

const sent = {
  status: 'sent' as const,
  sentAt: new Date('2025-03-02T09:00:00Z'),
  responseDueAt: new Date('2025-03-05T09:00:00Z'),
  history: [
    { from: 'draft' as const, to: 'sent' as const, at: '2025-03-02T09:00:00.000Z', by: 'user:x' },
  ],
};

describe('a referral as ServiceRequest and Task', () => {
  it('writes a draft as a draft order for the patient, to the provider', () => {
    const request = serviceRequestOf(referral({ reason: 'postpartum anxiety' }), []);
    expect(request).toMatchObject({
      resourceType: 'ServiceRequest',
      status: 'draft',
      intent: 'order',
      subject: { reference: `Patient/${patientId}` },
      performer: [{ reference: `HealthcareService/${providerId}` }],
      authoredOn: '2025-03-01T10:00:00.000Z',
      occurrencePeriod: { end: '2025-03-20T00:00:00.000Z' },
      reasonCode: [{ text: 'postpartum anxiety' }],
    });
    expect(validateResource(request)).toEqual([]);
    expect(serviceRequestOf(referral(), []).reasonCode).toBeUndefined();
  });

  it('runs the loop against the answer deadline while sent, then the visit deadline', () => {
    const waiting = taskOf(referral(sent), []);
    expect(waiting).toMatchObject({
      status: 'requested',
      businessStatus: { coding: [{ system: codeSystem('referral-status'), code: 'sent' }] },
      focus: { reference: 'ServiceRequest/00000000-0000-4000-8000-0000000000aa' },
      for: { reference: `Patient/${patientId}` },
      owner: { reference: `HealthcareService/${providerId}` },
      authoredOn: '2025-03-02T09:00:00.000Z',
      executionPeriod: { start: '2025-03-02T09:00:00.000Z' },
      restriction: { period: { end: '2025-03-05T09:00:00.000Z' } },
    });
    expect(waiting.output).toBeUndefined();
    const accepted = taskOf(referral({ ...sent, status: 'accepted' }), []);
    expect(accepted.restriction?.period?.end).toBe('2025-03-20T00:00:00.000Z');
  });

  it('says why a referral was declined, and when the loop closed', () => {
    const task = taskOf(
      referral({
        ...sent,
        status: 'declined',
        declineReason: 'no_capacity',
        history: [
          ...sent.history,
          {
            from: 'sent',
            to: 'declined',
            at: '2025-03-03T11:00:00.000Z',
            by: 'user:x',
            reason: 'no_capacity',
          },
        ],
      }),
      [],
    );
    expect(task).toMatchObject({
      status: 'rejected',
      statusReason: { coding: [{ system: codeSystem('decline-reason'), code: 'no_capacity' }] },
      executionPeriod: { start: '2025-03-02T09:00:00.000Z', end: '2025-03-03T11:00:00.000Z' },
    });
    expect(validateResource(task)).toEqual([]);
  });

  it('gives the first appointment as the output of a scheduled referral', () => {
    const task = taskOf(
      referral({
        ...sent,
        status: 'scheduled',
        firstAppointmentAt: new Date('2025-03-10T15:00:00Z'),
      }),
      [{ system: 'https://ehr.example/referral', value: 'R-1' }],
    );
    expect(task.status).toBe('in-progress');
    expect(task.output).toEqual([
      {
        type: { coding: [{ system: codeSystem('referral-output'), code: 'first-appointment' }] },
        valueDateTime: '2025-03-10T15:00:00.000Z',
      },
    ]);
    expect(task.identifier?.[1]).toEqual({ system: 'https://ehr.example/referral', value: 'R-1' });
    expect(validateResource(task)).toEqual([]);
  });

  it('maps every status to a valid R4 request and task status, and back for search', () => {
    for (const status of referralStatuses) {
      const r = referral({
        ...(status === 'draft' || status === 'cancelled' ? {} : sent),
        status,
        ...(status === 'declined' ? { declineReason: 'other' as const } : {}),
        ...(['scheduled', 'completed', 'no_show'].includes(status)
          ? { firstAppointmentAt: new Date('2025-03-10T15:00:00Z') }
          : {}),
      });
      expect(validateResource(serviceRequestOf(r, [])), status).toEqual([]);
      expect(validateResource(taskOf(r, [])), status).toEqual([]);
      expect(referralStatusesFor(taskStatusOf, taskStatusOf[status])).toContain(status);
    }
    expect(referralStatusesFor(taskStatusOf, 'failed').sort()).toEqual(['expired', 'no_show']);
    expect(referralStatusesFor(taskStatusOf, 'on-hold')).toEqual([]);
  });
});
