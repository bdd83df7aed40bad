import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { buildPatient, buildServiceArea, create } from '../../test/factories.ts';
import { auditEvents, collectPages, describeEachEngine } from '../../test/harness.ts';

/*
 * The care-gap worklist on the test clock (Monday 3 March 2025, 09:00 Los Angeles). Each patient's
 * last visit and its 10-business-day follow-up deadline, worked out by hand:
 * - overdue: seen Monday 3 February; 10 business days end Tuesday 18 February (the 17th is
 *   Presidents' Day), so the deadline passed;
 * - at risk: seen Tuesday 18 February; the 10th business day is Tuesday 4 March, within the next
 *   2 business days, and nothing is booked;
 * - booked: as above, with a visit booked on 4 March: on track;
 * - later: seen Wednesday 26 February; the 10th business day is 12 March: on track;
 * - discharged on Friday 28 February and not seen since: HEDIS FUH's 7 days run to 7 March, and
 *   the recent discharge puts the patient first.
 */

interface Gap {
  patientId: string;
  tier: string;
  standard: string;
  deadline: string;
  status: string;
  nextCareAt: string | null;
  daysWithoutCare: number | null;
}

async function visit(context: Context, patientId: string, at: string, status = 'attended') {
  await context.db
    .insertInto('appointment')
    .values({
      id: uuidv7(),
      patient_id: patientId,
      kind: 'follow_up',
      requested_at: new Date(Date.parse(at) - 7 * 86_400_000),
      first_offered_at: new Date(at),
      starts_at: new Date(at),
      status,
    })
    .execute();
}

describeEachEngine('care gaps', (use) => {
  it('lists patients worst risk first, then by deadline, with their status', async () => {
    const { app, context } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const patient = async (overrides: Record<string, unknown> = {}) =>
      (await create(app, '/patients', buildPatient(area.id, { perinatal: false, ...overrides })))
        .id;
    const overdue = await patient();
    const atRisk = await patient();
    const booked = await patient();
    const later = await patient();
    const discharged = await patient({ dischargedAt: '2025-02-28T18:00:00.000Z' });
    await visit(context, overdue, '2025-02-03T18:00:00.000Z');
    await visit(context, atRisk, '2025-02-18T18:00:00.000Z');
    await visit(context, booked, '2025-02-18T18:00:00.000Z');
    await visit(context, booked, '2025-03-04T18:00:00.000Z', 'booked');
    await visit(context, later, '2025-02-26T18:00:00.000Z');
    await visit(context, discharged, '2025-02-20T18:00:00.000Z');

    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/care-gaps?area=${area.id}`,
    });
    expect(response.statusCode).toBe(200);
    const items = response.json<{ items: Gap[] }>().items;
    const [first, ...rest] = items;
    expect(first).toMatchObject({
      patientId: discharged,
      tier: 'recent_discharge',
      standard: 'fuh_7_days',
      deadline: '2025-03-08T08:00:00.000Z',
      status: 'on_track',
    });
    const sameDeadline = [atRisk, booked].sort();
    expect(rest.map((g) => [g.patientId, g.status, g.deadline])).toEqual([
      [overdue, 'overdue', '2025-02-19T08:00:00.000Z'],
      [
        sameDeadline[0],
        sameDeadline[0] === atRisk ? 'at_risk' : 'on_track',
        '2025-03-05T08:00:00.000Z',
      ],
      [
        sameDeadline[1],
        sameDeadline[1] === atRisk ? 'at_risk' : 'on_track',
        '2025-03-05T08:00:00.000Z',
      ],
      [later, 'on_track', '2025-03-13T07:00:00.000Z'],
    ]);
    expect(items.find((g) => g.patientId === overdue)?.daysWithoutCare).toBe(27);
    expect(items.find((g) => g.patientId === booked)?.nextCareAt).toBe('2025-03-04T18:00:00.000Z');

    const onlyOverdue = await app.inject({
      method: 'GET',
      url: `/api/v1/care-gaps?area=${area.id}&status=overdue`,
    });
    expect(onlyOverdue.json<{ items: Gap[] }>().items.map((g) => g.patientId)).toEqual([overdue]);

    // Pages of two walk the same list.
    const walked = await collectPages<Gap>(app, `/api/v1/care-gaps?area=${area.id}&limit=2`);
    expect(walked.map((g) => g.patientId)).toEqual(items.map((g) => g.patientId));
    const bad = await app.inject({ method: 'GET', url: '/api/v1/care-gaps?cursor=bm9wZQ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'BAD_CURSOR' } });

    // Every patient listed is audited.
    expect(
      (await auditEvents(context, { patientId: overdue, action: 'care_gap.list' })).length,
    ).toBeGreaterThanOrEqual(1);
  });

  it("shows one patient's clocks", async () => {
    const { app, context } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const id = (await create(app, '/patients', buildPatient(area.id, { perinatal: false }))).id;
    await visit(context, id, '2025-02-03T18:00:00.000Z');
    const response = await app.inject({ method: 'GET', url: `/api/v1/patients/${id}/clocks` });
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      careGap: Gap;
      requests: { standard: string; status: string }[];
    }>();
    expect(body.careGap).toMatchObject({
      status: 'overdue',
      standard: 'follow_up_10_business_days',
    });
    const missing = await app.inject({
      method: 'GET',
      url: '/api/v1/patients/0190b4a0-0000-7000-8000-000000000000/clocks',
    });
    expect(missing.statusCode).toBe(404);
  });
});
