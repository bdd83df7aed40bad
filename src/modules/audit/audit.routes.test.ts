import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { encodeCursor } from '../../shared/page.ts';
import { actingAs, bearerFor, describeEachEngine } from '../../test/harness.ts';
import type { Role } from '../auth/policy.domain.ts';
import type { AuditEventInput } from './audit.domain.ts';
import { appendAuditEvents } from './audit.repository.ts';
import { walkChain } from './audit.service.ts';

interface EventBody {
  seq: number;
  actor: string;
  action: string;
  hash: string;
  [field: string]: unknown;
}
interface PageBody {
  items: EventBody[];
  nextCursor: string | null;
}

function buildEvent(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    at: new Date('2025-03-03T17:00:00.000Z'),
    actor: `user:${randomUUID()}`,
    action: 'patient.read',
    entity: 'patient',
    entityId: null,
    patientId: null,
    entityIds: null,
    patientIds: null,
    ip: '10.0.0.9',
    outcome: 'allowed',
    detail: {},
    ...overrides,
  };
}

/** Appends the events in order and returns their seqs, newest first (the order a search gives). */
async function append(context: Context, events: AuditEventInput[]): Promise<number[]> {
  await context.db.transaction().execute((trx) => appendAuditEvents(trx, events));
  const last = await context.db
    .selectFrom('audit_event')
    .select('seq')
    .orderBy('seq', 'desc')
    .limit(events.length)
    .execute();
  return last.map((row) => row.seq);
}

async function search(app: FastifyInstance, query: string): Promise<PageBody> {
  const response = await app.inject({ method: 'GET', url: `/api/v1/audit?${query}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<PageBody>();
}

const seqsOf = (page: PageBody) => page.items.map((item) => item.seq);

describeEachEngine('audit API', (use) => {
  it('finds an actor’s events, newest first, with the fields of each', async () => {
    const { app, context } = use();
    const actor = `user:${randomUUID()}`;
    const patientId = randomUUID();
    const seqs = await append(context, [
      buildEvent({ actor, patientId, entityId: patientId, detail: { fields: ['risk'] } }),
      buildEvent(),
      buildEvent({ actor, action: 'patient.list' }),
    ]);
    const page = await search(app, `actor=${actor}`);
    expect(seqsOf(page)).toEqual([seqs[0], seqs[2]]);
    expect(page.nextCursor).toBeNull();
    expect(page.items[1]).toEqual({
      seq: seqs[2],
      at: '2025-03-03T17:00:00.000Z',
      actor,
      action: 'patient.read',
      entity: 'patient',
      entityId: patientId,
      patientId,
      entityIds: null,
      patientIds: null,
      ip: '10.0.0.9',
      outcome: 'allowed',
      detail: { fields: ['risk'] },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
  });

  it('filters by patient, entity and id, action and outcome', async () => {
    const { app, context } = use();
    const actor = `user:${randomUUID()}`;
    const patientId = randomUUID();
    const enrollmentId = randomUUID();
    // Newest first: [4] [3] [2] [1] [0] are the appended events in reverse.
    const seqs = await append(context, [
      buildEvent({ actor, patientId }),
      buildEvent({ actor, entity: 'enrollment', entityId: enrollmentId, patientId }),
      buildEvent({ actor, action: 'patient.update', outcome: 'denied' }),
      buildEvent({ actor, entity: 'enrollment', entityId: randomUUID() }),
      buildEvent({ actor, action: 'patient.update' }),
    ]);
    const [e4, e3, e2, e1, e0] = seqs;
    expect(seqsOf(await search(app, `patientId=${patientId}`))).toEqual([e1, e0]);
    expect(seqsOf(await search(app, `actor=${actor}&entity=enrollment`))).toEqual([e3, e1]);
    expect(seqsOf(await search(app, `entity=enrollment&entityId=${enrollmentId}`))).toEqual([e1]);
    expect(seqsOf(await search(app, `actor=${actor}&action=patient.update`))).toEqual([e4, e2]);
    expect(
      seqsOf(await search(app, `actor=${actor}&action=patient.update&outcome=denied`)),
    ).toEqual([e2]);
  });

  it('finds a list’s one event by any patient or record it showed, and by no other', async () => {
    const { app, context } = use();
    const actor = `user:${randomUUID()}`;
    const [patientA, patientB, other] = [randomUUID(), randomUUID(), randomUUID()];
    const [enrollmentA, enrollmentB] = [randomUUID(), randomUUID()];
    const [list, single] = await append(context, [
      buildEvent({ actor, entity: 'enrollment', entityId: enrollmentB, patientId: patientB }),
      buildEvent({
        actor,
        action: 'enrollment.list',
        entity: 'enrollment',
        entityIds: [enrollmentA, enrollmentB],
        patientIds: [patientA, patientB],
      }),
    ]);
    // Each search is itself audited (about the patient searched for), after it answers.
    const byA = await search(app, `patientId=${patientA}`);
    expect(seqsOf(byA)).toEqual([list]);
    expect(byA.items[0]).toMatchObject({
      entityId: null,
      patientId: null,
      entityIds: [enrollmentA, enrollmentB],
      patientIds: [patientA, patientB],
    });
    expect(seqsOf(await search(app, `patientId=${patientB}`))).toEqual([list, single]);
    expect(seqsOf(await search(app, `entityId=${enrollmentA}`))).toEqual([list]);
    expect(seqsOf(await search(app, `entityId=${enrollmentB}`))).toEqual([list, single]);
    expect(seqsOf(await search(app, `patientId=${other}`))).toEqual([]);
    expect((await walkChain(context.db)).intact).toBe(true);
  });

  it('filters by time: from is inclusive, to is exclusive', async () => {
    const { app, context } = use();
    const actor = `user:${randomUUID()}`;
    const [late, middle, early] = await append(context, [
      buildEvent({ actor, at: new Date('2025-01-01T08:00:00Z') }),
      buildEvent({ actor, at: new Date('2025-02-01T08:00:00Z') }),
      buildEvent({ actor, at: new Date('2025-03-01T08:00:00Z') }),
    ]);
    const from = encodeURIComponent('2025-02-01T00:00:00-08:00');
    expect(seqsOf(await search(app, `actor=${actor}&from=${from}`))).toEqual([late, middle]);
    expect(seqsOf(await search(app, `actor=${actor}&to=${from}`))).toEqual([early]);
    const to = encodeURIComponent('2025-03-01T08:00:00Z');
    expect(seqsOf(await search(app, `actor=${actor}&from=${from}&to=${to}`))).toEqual([middle]);
  });

  it('pages newest first with a cursor, without repeats or gaps', async () => {
    const { app, context } = use();
    const actor = `user:${randomUUID()}`;
    const seqs = await append(
      context,
      Array.from({ length: 5 }, () => buildEvent({ actor })),
    );
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: PageBody = await search(
        app,
        `actor=${actor}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...seqsOf(page));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual(seqs);
    expect(pages).toBe(3);
  });

  it('audits each search with its criteria', async () => {
    const { app, context } = use();
    const actor = `user:${randomUUID()}`;
    const patientId = randomUUID();
    await search(app, `actor=${actor}&patientId=${patientId}&outcome=denied`);
    const newest = await context.db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'audit.search')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(newest).toMatchObject({
      entity: 'audit_event',
      patient_id: patientId,
      outcome: 'allowed',
      detail: { actor, patientId, outcome: 'denied' },
    });
    expect(newest.actor).toMatch(/^token:/);
  });

  it('refuses a cursor it did not give out, and malformed criteria', async () => {
    const { app } = use();
    for (const cursor of ['bogus', encodeCursor(randomUUID()), 'c2VxOjA']) {
      const response = await app.inject({ method: 'GET', url: `/api/v1/audit?cursor=${cursor}` });
      expect(response.json()).toMatchObject({ error: { code: 'BAD_CURSOR' } });
    }
    for (const query of ['patientId=42', 'outcome=maybe', 'from=yesterday', 'limit=501', 'x=1']) {
      const response = await app.inject({ method: 'GET', url: `/api/v1/audit?${query}` });
      expect(response.statusCode, query).toBe(400);
    }
  });

  it('answers compliance', async () => {
    const { context, raw } = use();
    const actor = `user:${randomUUID()}`;
    const seqs = await append(context, [buildEvent({ actor }), buildEvent({ actor })]);
    const compliance = actingAs(raw, await bearerFor(context, 'compliance'));
    expect(seqsOf(await search(compliance, `actor=${actor}`))).toEqual(seqs);
  });

  it.each<Role>(['coordinator', 'clinician', 'auditor'])('refuses %s with 403', async (role) => {
    const { context, raw } = use();
    const response = await actingAs(raw, await bearerFor(context, role)).inject({
      method: 'GET',
      url: '/api/v1/audit',
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('refuses nobody with 401', async () => {
    const { raw } = use();
    const response = await raw.inject({ method: 'GET', url: '/api/v1/audit' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });
});
