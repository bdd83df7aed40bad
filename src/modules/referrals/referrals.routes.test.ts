import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { uuidv7 } from '../../shared/ids.ts';
import {
  buildOutsideProvider,
  buildPatient,
  buildServiceArea,
  create,
} from '../../test/factories.ts';
import { describeEachEngine, rowCounts } from '../../test/harness.ts';

/*
 * Referrals through the API on the test clock (Monday 3 March 2025, 09:00 Los Angeles).
 */

interface ReferralBody {
  id: string;
  status: string;
  version: number;
  sentAt: string | null;
  responseDueAt: string | null;
  dueAt: string | null;
  firstAppointmentAt: string | null;
  declineReason: string | null;
  history: { from: string; to: string; by: string; at: string }[];
  action?: string | null;
}

async function draftReferral(context: Context, patientId: string, providerId: string) {
  const id = uuidv7();
  await context.db
    .insertInto('referral')
    .values({ id, patient_id: patientId, provider_id: providerId, status: 'draft' })
    .execute();
  return id;
}

async function move(app: FastifyInstance, id: string, version: number, body: object) {
  return app.inject({
    method: 'POST',
    url: `/api/v1/referrals/${id}/transitions`,
    payload: { version, ...body },
  });
}

describeEachEngine('referrals API', (use) => {
  async function setting(capacity = 2, patientOverrides: Record<string, unknown> = {}) {
    const { app } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const patient = await create(app, '/patients', buildPatient(area.id, patientOverrides));
    const provider = await create(
      app,
      '/outside-providers',
      buildOutsideProvider({ weeklyCapacity: capacity }),
    );
    return { area, patient, provider };
  }

  it('follows a referral from draft to the first visit, stamping each move', async () => {
    const { app, context } = use();
    const { patient, provider } = await setting();
    const id = await draftReferral(context, patient.id, provider.id);

    const sent = await move(app, id, 1, { to: 'sent' });
    expect(sent.statusCode).toBe(200);
    const afterSend = sent.json<{ referral: ReferralBody }>().referral;
    // Two business days after Monday 3 March: answer before Thursday 6 March, local midnight.
    expect(afterSend).toMatchObject({
      status: 'sent',
      sentAt: '2025-03-03T17:00:00.000Z',
      responseDueAt: '2025-03-06T08:00:00.000Z',
    });
    expect(afterSend.dueAt).not.toBeNull();

    const accepted = (await move(app, id, 2, { to: 'accepted' })).json<{
      referral: ReferralBody;
    }>();
    expect(accepted.referral.status).toBe('accepted');
    const noDate = await move(app, id, 3, { to: 'scheduled' });
    expect(noDate.statusCode).toBe(400);
    const scheduled = await move(app, id, 3, {
      to: 'scheduled',
      firstAppointmentAt: '2025-03-07T18:00:00.000Z',
    });
    expect(scheduled.json<{ referral: ReferralBody }>().referral.firstAppointmentAt).toBe(
      '2025-03-07T18:00:00.000Z',
    );
    const completed = (await move(app, id, 4, { to: 'completed' })).json<{
      referral: ReferralBody;
      replan: unknown;
    }>();
    expect(completed.replan).toBeNull();
    expect(completed.referral.history.map((h) => `${h.from}→${h.to}`)).toEqual([
      'draft→sent',
      'sent→accepted',
      'accepted→scheduled',
      'scheduled→completed',
    ]);
    for (const h of completed.referral.history) expect(h.by).toMatch(/^token:/);

    // A finished referral goes nowhere, and a refused move changes nothing.
    const before = await rowCounts(context);
    const again = await move(app, id, 5, { to: 'cancelled' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'INVALID_TRANSITION' } });
    const stale = await move(app, id, 1, { to: 'cancelled' });
    expect(stale.json()).toMatchObject({ error: { code: 'VERSION_CONFLICT' } });
    expect(await rowCounts(context)).toEqual(before);
    const read = await app.inject({ method: 'GET', url: `/api/v1/referrals/${id}` });
    expect(read.json<ReferralBody>()).toMatchObject({ status: 'completed', version: 5 });
  });

  it('never lets concurrent accepts overbook a provider', async () => {
    const { app, context } = use();
    const { patient, provider } = await setting(2);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await draftReferral(context, patient.id, provider.id);
      expect((await move(app, id, 1, { to: 'sent' })).statusCode).toBe(200);
      ids.push(id);
    }
    const results = await Promise.all(ids.map((id) => move(app, id, 2, { to: 'accepted' })));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(2);
    const refused = results.filter((r) => r.statusCode !== 200);
    expect(refused).toHaveLength(3);
    for (const r of refused) expect(r.json()).toMatchObject({ error: { code: 'CONFLICT' } });
  });

  it('marks a provider full when it declines for lack of capacity', async () => {
    const { app, context } = use();
    const { patient, provider } = await setting(6);
    const id = await draftReferral(context, patient.id, provider.id);
    await move(app, id, 1, { to: 'sent' });
    const noReason = await move(app, id, 2, { to: 'declined' });
    expect(noReason.statusCode).toBe(400);
    const declined = await move(app, id, 2, { to: 'declined', declineReason: 'no_capacity' });
    expect(declined.json<{ referral: ReferralBody }>().referral.declineReason).toBe('no_capacity');
    const after = await app.inject({
      method: 'GET',
      url: `/api/v1/outside-providers/${provider.id}`,
    });
    expect(after.json()).toMatchObject({ weeklyCapacity: 0 });

    // Declined with no new plan: on the action worklist.
    const worklist = await app.inject({ method: 'GET', url: '/api/v1/referrals?needs=action' });
    const items = worklist.json<{ items: ReferralBody[] }>().items;
    expect(items.find((r) => r.id === id)?.action).toBe('declined_without_plan');
  });

  it('lists a referral unanswered past its response deadline, highest risk first', async () => {
    const { app, context } = use();
    const { patient, provider } = await setting(3, { perinatal: false });
    const urgent = await create(
      app,
      '/patients',
      buildPatient(patient.serviceAreaId as string, {
        perinatal: true,
        conditions: ['perinatal_psychosis_risk'],
      }),
    );
    const late = [
      await draftReferral(context, patient.id, provider.id),
      await draftReferral(context, urgent.id, provider.id),
    ];
    for (const id of late) await move(app, id, 1, { to: 'sent' });
    await context.db
      .updateTable('referral')
      .set({ response_due_at: new Date('2025-03-01T08:00:00.000Z') })
      .where('id', 'in', late)
      .execute();
    const items = (
      await app.inject({ method: 'GET', url: '/api/v1/referrals?needs=action' })
    ).json<{ items: ReferralBody[] }>().items;
    const ours = items.filter((r) => late.includes(r.id));
    expect(ours.map((r) => [r.id, r.action])).toEqual([
      [late[1], 'awaiting_response'],
      [late[0], 'awaiting_response'],
    ]);
  });

  it('logs outreach as the patient allows, and flags three failed attempts', async () => {
    const { app } = use();
    const { patient } = await setting(2, { contactPreferences: { channels: ['phone', 'letter'] } });
    const attempt = (body: object) =>
      app.inject({ method: 'POST', url: `/api/v1/patients/${patient.id}/outreach`, payload: body });
    const text = await attempt({ channel: 'sms', outcome: 'no_answer' });
    expect(text.statusCode).toBe(409);
    expect(text.json()).toMatchObject({ error: { details: { reason: 'channel_not_allowed' } } });
    const flags: boolean[] = [];
    for (const outcome of ['no_answer', 'wrong_number', 'no_answer']) {
      const r = await attempt({ channel: 'phone', outcome });
      expect(r.statusCode).toBe(201);
      flags.push(r.json<{ needsPerson: boolean }>().needsPerson);
    }
    expect(flags).toEqual([false, false, true]);
    const reached = await attempt({ channel: 'letter', outcome: 'reached' });
    expect(reached.json()).toMatchObject({ failedInARow: 0, needsPerson: false });
    const log = await app.inject({ method: 'GET', url: `/api/v1/patients/${patient.id}/outreach` });
    expect(log.json<{ attempts: unknown[] }>().attempts).toHaveLength(4);
  });
});

describeEachEngine('referral metrics', (use) => {
  it('counts the loop with its denominators, in business days', async () => {
    const { app, context } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const patient = await create(app, '/patients', buildPatient(area.id));
    const provider = await create(app, '/outside-providers', buildOutsideProvider());
    // One seen on Friday 7 March (4 business days after sending), one declined, one still sent.
    const seen = await draftReferral(context, patient.id, provider.id);
    const declined = await draftReferral(context, patient.id, provider.id);
    const waiting = await draftReferral(context, patient.id, provider.id);
    for (const id of [seen, declined, waiting]) await move(app, id, 1, { to: 'sent' });
    await move(app, seen, 2, { to: 'accepted' });
    await move(app, seen, 3, { to: 'scheduled', firstAppointmentAt: '2025-03-07T18:00:00.000Z' });
    await move(app, seen, 4, { to: 'completed' });
    await move(app, declined, 2, { to: 'declined', declineReason: 'not_eligible' });

    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/referrals/metrics?from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      sent: 3,
      accepted: { numerator: 1, denominator: 3 },
      completed: { numerator: 1, denominator: 3 },
      completedInTime: { numerator: 1, denominator: 3 },
      medianBusinessDaysToFirstVisit: 4,
    });
    const before = await app.inject({
      method: 'GET',
      url: '/api/v1/referrals/metrics?from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z',
    });
    expect(before.json()).toMatchObject({ sent: 0, accepted: { rate: null } });
  });
});
