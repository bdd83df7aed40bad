import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import {
  buildClinician,
  buildGroup,
  buildLocation,
  buildPatient,
  buildServiceArea,
  create,
} from '../../test/factories.ts';
import { actingAs, bearerFor, describeEachEngine, rowCounts } from '../../test/harness.ts';

/*
 * Disruptions through the API on the test clock (Monday 3 March 2025, 09:00 in Los Angeles).
 * A strike of one clinician: the group only she facilitates stops, the group she runs with a
 * colleague goes on.
 */

type Created = { id: string; version: number };

interface ImpactBody {
  sessions: { total: number; toCancel: number; groups: { groupId: string }[] };
  patients: {
    patientId: string;
    tier: string;
    deadline: { standard: string; dueBefore: string };
    daysWithoutCare: number | null;
  }[];
  counts: unknown;
}

async function setting(app: FastifyInstance) {
  const area = await create(app, '/service-areas', buildServiceArea());
  const location = await create(app, '/locations', buildLocation(area.id));
  const striking = await create(app, '/clinicians', buildClinician(location.id));
  const working = await create(app, '/clinicians', buildClinician(location.id));
  const alone = await create(
    app,
    '/groups',
    buildGroup(location.id, { facilitators: [{ clinicianId: striking.id, role: 'lead' }] }),
  );
  const shared = await create(
    app,
    '/groups',
    buildGroup(location.id, {
      facilitators: [
        { clinicianId: striking.id, role: 'lead' },
        { clinicianId: working.id, role: 'co' },
      ],
    }),
  );
  const patient = (overrides: Record<string, unknown>) =>
    create(app, '/patients', buildPatient(area.id, overrides));
  const mother = await patient({ perinatal: true });
  const discharged = await patient({
    perinatal: false,
    conditions: ['depression'],
    dischargedAt: '2025-02-27T18:00:00.000Z',
  });
  const waiting = await patient({});
  const elsewhere = await patient({});
  const enroll = (patientId: string, groupId: string, status = 'active') =>
    create(app, '/enrollments', { patientId, groupId, status, startsOn: '2025-01-07' });
  await enroll(mother.id, alone.id);
  await enroll(discharged.id, alone.id);
  await enroll(waiting.id, alone.id, 'waitlisted');
  await enroll(elsewhere.id, shared.id);
  return { area, location, striking, working, alone, shared, mother, discharged, waiting };
}

async function sessionsOf(context: Context, groupId: string) {
  return context.db
    .selectFrom('group_session')
    .select(['id', 'starts_at', 'status', 'cancel_reason', 'disruption_id'])
    .where('group_id', '=', groupId)
    .where('starts_at', '<', new Date('2025-04-01T00:00:00Z'))
    .orderBy('starts_at')
    .execute();
}

describeEachEngine('disruptions API', (use) => {
  async function strike(app: FastifyInstance, clinicianId: string, endsOn: string | null) {
    return create<Created & { status: string }>(app, '/disruptions', {
      kind: 'strike',
      title: 'Therapists strike',
      scope: { clinicianIds: [clinicianId] },
      startsOn: '2025-03-03',
      endsOn,
    });
  }

  it('simulates the impact, worst risk first, and writes nothing but the audit trail', async () => {
    const { app, context } = use();
    const s = await setting(app);
    const disruption = await strike(app, s.striking.id, '2025-03-16');
    expect(disruption.status).toBe('draft');
    const before = await rowCounts(context);
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/disruptions/${disruption.id}/simulate`,
    });
    expect(response.statusCode).toBe(200);
    const { impact } = response.json<{ impact: ImpactBody }>();
    // Tuesdays 4 and 11 March, from the group she runs alone; the shared group goes on.
    expect(impact.sessions.total).toBe(2);
    expect(impact.sessions.toCancel).toBe(2);
    expect(impact.sessions.groups.map((g) => g.groupId)).toEqual([s.alone.id]);
    expect(impact.patients.map((p) => [p.patientId, p.tier])).toEqual([
      [s.discharged.id, 'recent_discharge'],
      [s.mother.id, 'perinatal'],
    ]);
    const [first, second] = impact.patients;
    if (!first || !second) throw new Error('two displaced patients expected');
    // Discharged on 27 February (Los Angeles): the FUH 7-day window ends with 6 March.
    expect(first.deadline).toEqual({
      standard: 'fuh_7_days',
      dueBefore: '2025-03-07T08:00:00.000Z',
    });
    expect(second.deadline.standard).toBe('follow_up_10_business_days');
    expect(second.daysWithoutCare).toBeNull();
    expect(impact.counts).toMatchObject({
      patients: 2,
      byTier: { recent_discharge: 1, perinatal: 1, urgent: 0 },
      bySpecialty: [{ specialty: 'perinatal_mood_anxiety', patients: 2 }],
      byServiceArea: [{ serviceAreaId: s.area.id, patients: 2 }],
    });
    const after = await rowCounts(context);
    expect({ ...after, audit_event: 0 }).toEqual({ ...before, audit_event: 0 });
    expect((await sessionsOf(context, s.alone.id)).every((x) => x.status === 'scheduled')).toBe(
      true,
    );
  });

  it('applies in one go, each session naming the disruption; applying again changes nothing', async () => {
    const { app, context } = use();
    const s = await setting(app);
    const disruption = await strike(app, s.striking.id, '2025-03-16');
    const applied = await app.inject({
      method: 'POST',
      url: `/api/v1/disruptions/${disruption.id}/apply`,
    });
    expect(applied.statusCode).toBe(200);
    expect(applied.json()).toMatchObject({
      sessionsCancelled: 2,
      disruption: { status: 'active', version: 2 },
    });
    const sessions = await sessionsOf(context, s.alone.id);
    const cancelled = sessions.filter((x) => x.status === 'cancelled');
    expect(cancelled.map((x) => x.starts_at.toISOString())).toEqual([
      '2025-03-04T18:00:00.000Z',
      '2025-03-11T17:00:00.000Z',
    ]);
    for (const x of cancelled) {
      expect(x.disruption_id).toBe(disruption.id);
      expect(x.cancel_reason).toBe('disruption (strike)');
    }
    expect((await sessionsOf(context, s.shared.id)).every((x) => x.status === 'scheduled')).toBe(
      true,
    );

    const before = await rowCounts(context);
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/disruptions/${disruption.id}/apply`,
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ sessionsCancelled: 0, disruption: { version: 2 } });
    expect(await rowCounts(context)).toEqual(before);
    expect(await sessionsOf(context, s.alone.id)).toEqual(sessions);

    // Simulating an applied disruption shows what it cancelled.
    const simulated = await app.inject({
      method: 'POST',
      url: `/api/v1/disruptions/${disruption.id}/simulate`,
    });
    expect(simulated.json<{ impact: ImpactBody }>().impact.sessions).toMatchObject({
      total: 2,
      alreadyCancelled: 2,
      toCancel: 0,
    });
  });

  it('ends: the sessions after its last day resume, those before stay cancelled', async () => {
    const { app, context } = use();
    const s = await setting(app);
    const disruption = await strike(app, s.striking.id, null);
    const applied = await app.inject({
      method: 'POST',
      url: `/api/v1/disruptions/${disruption.id}/apply`,
    });
    // Open-ended: every scheduled Tuesday ahead (26 weeks are generated) is cancelled.
    const { sessionsCancelled } = applied.json<{ sessionsCancelled: number }>();
    expect(sessionsCancelled).toBeGreaterThan(20);
    const cancelledOpenEnded = (await sessionsOf(context, s.alone.id)).filter(
      (x) => x.status === 'cancelled',
    );
    expect(cancelledOpenEnded.length).toBe(4);
    const ended = await app.inject({
      method: 'POST',
      url: `/api/v1/disruptions/${disruption.id}/end`,
      payload: { on: '2025-03-11' },
    });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({
      sessionsResumed: sessionsCancelled - 2,
      disruption: { status: 'ended', endsOn: '2025-03-11' },
    });
    const after = await sessionsOf(context, s.alone.id);
    expect(
      after.filter((x) => x.status === 'cancelled').map((x) => x.starts_at.toISOString()),
    ).toEqual(['2025-03-04T18:00:00.000Z', '2025-03-11T17:00:00.000Z']);
    expect(after.filter((x) => x.status === 'scheduled' && x.disruption_id === null).length).toBe(
      2,
    );
    const reapply = await app.inject({
      method: 'POST',
      url: `/api/v1/disruptions/${disruption.id}/apply`,
    });
    expect(reapply.statusCode).toBe(409);
    expect(reapply.json()).toMatchObject({ error: { code: 'INVALID_TRANSITION' } });
  });

  it('refuses bad input and wrong moves with stable codes, changing nothing', async () => {
    const { app, context } = use();
    const s = await setting(app);
    const before = await rowCounts(context);
    const empty = await app.inject({
      method: 'POST',
      url: '/api/v1/disruptions',
      payload: { kind: 'strike', title: 'Nothing', scope: {}, startsOn: '2025-03-03' },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const backwards = await app.inject({
      method: 'POST',
      url: '/api/v1/disruptions',
      payload: {
        kind: 'strike',
        title: 'Backwards',
        scope: { groupIds: [s.alone.id] },
        startsOn: '2025-03-03',
        endsOn: '2025-03-01',
      },
    });
    expect(backwards.statusCode).toBe(400);
    const badKind = await app.inject({
      method: 'POST',
      url: '/api/v1/disruptions',
      payload: {
        kind: 'flood',
        title: 'x',
        scope: { groupIds: [s.alone.id] },
        startsOn: '2025-03-03',
      },
    });
    expect(badKind.statusCode).toBe(400);
    expect(await rowCounts(context)).toMatchObject({ disruption: before.disruption });

    const draft = await strike(app, s.striking.id, '2025-03-16');
    const endDraft = await app.inject({
      method: 'POST',
      url: `/api/v1/disruptions/${draft.id}/end`,
      payload: {},
    });
    expect(endDraft.statusCode).toBe(409);
    expect(endDraft.json()).toMatchObject({ error: { code: 'INVALID_TRANSITION' } });
    await app.inject({ method: 'POST', url: `/api/v1/disruptions/${draft.id}/apply` });
    const edit = await app.inject({
      method: 'PATCH',
      url: `/api/v1/disruptions/${draft.id}`,
      payload: { version: 2, title: 'Renamed' },
    });
    expect(edit.statusCode).toBe(409);
    expect(edit.json()).toMatchObject({ error: { code: 'INVALID_TRANSITION' } });
    const missing = await app.inject({
      method: 'POST',
      url: '/api/v1/disruptions/0190b4a0-0000-7000-8000-000000000000/simulate',
    });
    expect(missing.statusCode).toBe(404);
  });

  it('lets compliance read disruptions but not list displaced patients', async () => {
    const { app, raw, context } = use();
    const s = await setting(app);
    const disruption = await strike(app, s.striking.id, '2025-03-16');
    const compliance = actingAs(raw, await bearerFor(context, 'compliance'));
    const read = await compliance.inject({
      method: 'GET',
      url: `/api/v1/disruptions/${disruption.id}`,
    });
    expect(read.statusCode).toBe(200);
    const simulate = await compliance.inject({
      method: 'POST',
      url: `/api/v1/disruptions/${disruption.id}/simulate`,
    });
    expect(simulate.statusCode).toBe(403);
  });
});
