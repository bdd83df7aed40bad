import { expect, it } from 'vitest';
import { buildPatient, buildServiceArea, create } from '../../test/factories.ts';
import { actingAs, bearerFor, auditEvents, describeEachEngine } from '../../test/harness.ts';

/*
 * Grievances through the API on the test clock (Monday 3 March 2025, 09:00 Los Angeles).
 */

interface Body {
  id: string;
  status: string;
  version: number;
  regulatorNoticeAt: string | null;
  deadlines: { acknowledgeBefore: string; resolveBefore: string; dispositionBefore: string | null };
  nextDuty?: string;
  overdue?: boolean;
}

describeEachEngine('grievances API', (use) => {
  it('records, acknowledges and resolves a grievance, with its deadlines', async () => {
    const { app, context } = use();
    const area = await create(app, '/service-areas', buildServiceArea({ members: 200_000 }));
    const patient = await create(app, '/patients', buildPatient(area.id));
    const secret = 'the therapist said something hurtful about my baby';
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/grievances',
      payload: {
        patientId: patient.id,
        receivedAt: '2025-03-01T18:00:00.000Z',
        channel: 'phone',
        type: 'access_to_care',
        lineOfBusiness: 'commercial',
        expedited: true,
        summary: 'Group cancelled, offered an anxiety group instead',
        notes: secret,
      },
    });
    expect(created.statusCode).toBe(201);
    const g = created.json<Body>();
    expect(g).toMatchObject({
      status: 'received',
      regulatorNoticeAt: '2025-03-03T17:00:00.000Z',
      deadlines: {
        acknowledgeBefore: '2025-03-07T08:00:00.000Z',
        resolveBefore: '2025-04-01T07:00:00.000Z',
        dispositionBefore: '2025-03-05T08:00:00.000Z',
      },
    });
    // The notes are the patient's words: never in the audit trail.
    const events = await auditEvents(context, { patientId: patient.id });
    expect(JSON.stringify(events)).not.toContain('hurtful');

    const early = await app.inject({
      method: 'PATCH',
      url: `/api/v1/grievances/${g.id}`,
      payload: { version: 1, to: 'resolved' },
    });
    expect(early.statusCode).toBe(400);
    const acknowledged = await app.inject({
      method: 'PATCH',
      url: `/api/v1/grievances/${g.id}`,
      payload: { version: 1, to: 'acknowledged', pendingWith: 'medical_group' },
    });
    expect(acknowledged.json()).toMatchObject({
      status: 'acknowledged',
      pendingWith: 'medical_group',
    });
    const resolved = await app.inject({
      method: 'PATCH',
      url: `/api/v1/grievances/${g.id}`,
      payload: { version: 2, to: 'resolved', resolution: 'Placed in a baby-friendly group' },
    });
    expect(resolved.json()).toMatchObject({ status: 'resolved' });
    const again = await app.inject({
      method: 'PATCH',
      url: `/api/v1/grievances/${g.id}`,
      payload: { version: 3, to: 'withdrawn' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'INVALID_TRANSITION' } });
  });

  it('lists what is due within a day or overdue, expedited first', async () => {
    const { app } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const patient = await create(app, '/patients', buildPatient(area.id));
    const file = async (receivedAt: string, expedited: boolean) =>
      (
        await create<Body>(app, '/grievances', {
          patientId: patient.id,
          receivedAt,
          channel: 'letter',
          type: 'quality_of_service',
          lineOfBusiness: 'medi_cal',
          expedited,
          summary: 'x',
        })
      ).id;
    const overdueAck = await file('2025-02-20T18:00:00.000Z', false); // acknowledge by 25 Feb
    const notYet = await file('2025-03-01T02:00:00.000Z', false); // 28 Feb local: acknowledge by 5 Mar
    const expedited = await file('2025-02-28T18:00:00.000Z', true); // disposition by end of 3 Mar
    const due = (await app.inject({ method: 'GET', url: '/api/v1/grievances/due' })).json<{
      items: Body[];
    }>().items;
    const ours = due.filter((g) => [overdueAck, notYet, expedited].includes(g.id));
    expect(ours.map((g) => [g.id, g.nextDuty, g.overdue])).toEqual([
      [expedited, 'disposition', false],
      [overdueAck, 'acknowledge', true],
    ]);
  });

  it('reports grievances unresolved 30 days or more at a quarter end, and the three rates', async () => {
    const { app, raw, context } = use();
    const area = await create(app, '/service-areas', buildServiceArea({ members: 0 }));
    const patient = await create(app, '/patients', buildPatient(area.id));
    const file = (receivedAt: string, type: string, lineOfBusiness: string) =>
      create<Body>(app, '/grievances', {
        patientId: patient.id,
        receivedAt,
        channel: 'portal',
        type,
        lineOfBusiness,
        summary: 'x',
      });
    await file('2024-11-15T18:00:00.000Z', 'access_to_care', 'commercial'); // open 46 days at 2025-01-01
    await file('2024-12-20T18:00:00.000Z', 'access_to_care', 'commercial'); // only 12 days
    await file('2024-10-01T18:00:00.000Z', 'quality_of_care', 'medicare'); // open since October
    const report = await app.inject({
      method: 'GET',
      url: '/api/v1/grievances/reports/quarterly?year=2024&quarter=4',
    });
    expect(report.statusCode).toBe(200);
    expect(report.json()).toMatchObject({
      asOf: '2025-01-01T00:00:00.000Z',
      total: 2,
      rows: [
        { lineOfBusiness: 'commercial', type: 'access_to_care', pendingWith: 'plan', count: 1 },
        { lineOfBusiness: 'medicare', type: 'quality_of_care', pendingWith: 'plan', count: 1 },
      ],
    });

    const rates = await app.inject({
      method: 'GET',
      url: '/api/v1/grievances/rates?from=2024-10-01T00:00:00Z&to=2025-01-01T00:00:00Z',
    });
    expect(rates.statusCode).toBe(200);
    const body = rates.json<{ all: { numerator: number; denominator: number; unit: string }[] }>();
    expect(body.all.map((r) => r.unit)).toEqual([
      'per 1,000 enrollees per 30 days',
      'per 10,000 members',
      'share of affected patients',
    ]);
    expect(body.all[0]?.numerator).toBeGreaterThanOrEqual(3);

    const auditor = actingAs(raw, await bearerFor(context, 'auditor'));
    const refused = await auditor.inject({ method: 'GET', url: '/api/v1/grievances' });
    expect(refused.statusCode).toBe(403);
  });
});
