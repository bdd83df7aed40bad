import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { buildGroup, create, unique } from '../../test/factories.ts';
import { describeEachEngine, rowCounts } from '../../test/harness.ts';

/*
 * The catalogue routes for areas, locations and patients are built elsewhere, so the rows these
 * tests need are inserted directly.
 */
async function insertPlace(
  context: Context,
): Promise<{ serviceAreaId: string; locationId: string }> {
  const serviceAreaId = uuidv7();
  const locationId = uuidv7();
  const n = unique();
  await context.db
    .insertInto('service_area')
    .values({
      id: serviceAreaId,
      code: `EN${n}`,
      name: `Area ${n}`,
      lat: 34,
      lon: -118,
      members: 10,
    })
    .execute();
  await context.db
    .insertInto('location')
    .values({
      id: locationId,
      service_area_id: serviceAreaId,
      name: `Clinic ${n}`,
      address: `${n} Main St`,
      lat: 34,
      lon: -118,
    })
    .execute();
  return { serviceAreaId, locationId };
}

const patientName = (n: number) => `Maria Example-${n}`;

async function insertPatient(context: Context, serviceAreaId: string): Promise<string> {
  const id = uuidv7();
  const n = unique();
  await context.db
    .insertInto('patient')
    .values({
      id,
      mrn: `ENR-${n}`,
      name: patientName(n),
      birth_date: '1991-02-03',
      service_area_id: serviceAreaId,
      lat: 34,
      lon: -118,
    })
    .execute();
  return id;
}

/**
 * Opens the server pool's connections before a race, so that concurrent requests really run
 * side by side instead of queueing for connections one at a time.
 */
async function warmPool(context: Context): Promise<void> {
  await Promise.all(
    Array.from({ length: 10 }, () => sql`select pg_sleep(0.05)`.execute(context.db)),
  );
}

async function activeCount(context: Context, groupId: string): Promise<number> {
  const row = await context.db
    .selectFrom('enrollment')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('group_id', '=', groupId)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return row.n;
}

/** A fresh group and `count` patients in its service area. */
async function groupWithPatients(
  app: FastifyInstance,
  context: Context,
  count: number,
  overrides: Record<string, unknown> = {},
) {
  const { serviceAreaId, locationId } = await insertPlace(context);
  const group = await create(app, '/groups', buildGroup(locationId, { minSize: 1, ...overrides }));
  const patients: string[] = [];
  for (let i = 0; i < count; i++) patients.push(await insertPatient(context, serviceAreaId));
  return { group, patients, serviceAreaId };
}

const enroll = (app: FastifyInstance, payload: Record<string, unknown>) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/enrollments',
    payload: { startsOn: '2025-03-04', ...payload },
  });

const unknownId = '0190f0a0-0000-7000-8000-000000000000';

describeEachEngine('enrollments API', (use) => {
  it('enrolls, reads and lists by patient, group and status', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 2);
    const [first, second] = patients;
    const created = await enroll(app, { patientId: first, groupId: group.id });
    expect(created.statusCode).toBe(201);
    const active = created.json<{ id: string }>();
    expect(active).toMatchObject({
      patientId: first,
      groupId: group.id,
      status: 'active',
      startsOn: '2025-03-04',
      endsOn: null,
      endReason: null,
      version: 1,
    });
    const waiting = (
      await enroll(app, { patientId: second, groupId: group.id, status: 'waitlisted' })
    ).json<{ id: string }>();

    const read = await app.inject({ method: 'GET', url: `/api/v1/enrollments/${active.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(active);

    const list = async (query: string) =>
      (await app.inject({ method: 'GET', url: `/api/v1/enrollments?${query}` }))
        .json<{ items: { id: string }[] }>()
        .items.map((item) => item.id);
    expect(await list(`groupId=${group.id}`)).toEqual([active.id, waiting.id].sort());
    expect(await list(`patientId=${second}`)).toEqual([waiting.id]);
    expect(await list(`groupId=${group.id}&status=waitlisted`)).toEqual([waiting.id]);
    expect(await list(`groupId=${group.id}&status=active`)).toEqual([active.id]);
  });

  it('never returns the patient name', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 1);
    const name = (
      await context.db
        .selectFrom('patient')
        .select('name')
        .where('id', '=', patients[0] ?? '')
        .executeTakeFirstOrThrow()
    ).name;
    const created = await enroll(app, { patientId: patients[0], groupId: group.id });
    const listed = await app.inject({
      method: 'GET',
      url: `/api/v1/enrollments?patientId=${patients[0]}`,
    });
    expect(created.body).not.toContain(name);
    expect(listed.body).not.toContain(name);
    expect(listed.json<{ items: unknown[] }>().items).toHaveLength(1);
  });

  it('refuses an active seat at capacity with GROUP_FULL, and waitlists instead', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 3, { capacity: 2 });
    const [a, b, c] = patients;
    for (const patientId of [a, b])
      expect((await enroll(app, { patientId, groupId: group.id })).statusCode).toBe(201);
    const before = await rowCounts(context);
    const full = await enroll(app, { patientId: c, groupId: group.id });
    expect(full.statusCode).toBe(409);
    expect(full.json()).toMatchObject({
      error: { code: 'GROUP_FULL', details: { groupId: group.id, capacity: 2, enrolled: 2 } },
    });
    expect(await rowCounts(context)).toEqual(before);
    const waitlisted = await enroll(app, { patientId: c, groupId: group.id, status: 'waitlisted' });
    expect(waitlisted.statusCode).toBe(201);
    expect(waitlisted.json()).toMatchObject({ status: 'waitlisted' });
    expect(await activeCount(context, group.id)).toBe(2);
  });

  it('answers ALREADY_ENROLLED for a second open enrollment, even in a full group', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 1, { capacity: 1 });
    const [patientId] = patients;
    const first = (await enroll(app, { patientId, groupId: group.id })).json<{ id: string }>();
    for (const status of ['active', 'waitlisted']) {
      const again = await enroll(app, { patientId, groupId: group.id, status });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({
        error: { code: 'ALREADY_ENROLLED', details: { patientId, groupId: group.id } },
      });
    }
    const ended = await app.inject({
      method: 'PATCH',
      url: `/api/v1/enrollments/${first.id}`,
      payload: { version: 1, status: 'ended' },
    });
    expect(ended.statusCode).toBe(200);
    // Once the first has ended, the patient may come back.
    expect((await enroll(app, { patientId, groupId: group.id })).statusCode).toBe(201);
  });

  it('refuses a group that is not active with 409 CONFLICT, even for the waitlist', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 1, { status: 'paused' });
    for (const status of ['active', 'waitlisted']) {
      const response = await enroll(app, { patientId: patients[0], groupId: group.id, status });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({
        error: { code: 'CONFLICT', details: { groupId: group.id, status: 'paused' } },
      });
    }
  });

  it('answers 400 UNKNOWN_REFERENCE for an unknown group or patient, writing nothing', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 1);
    const before = await rowCounts(context);
    const noGroup = await enroll(app, { patientId: patients[0], groupId: unknownId });
    expect(noGroup.statusCode).toBe(400);
    expect(noGroup.json()).toMatchObject({ error: { code: 'UNKNOWN_REFERENCE' } });
    const noPatient = await enroll(app, { patientId: unknownId, groupId: group.id });
    expect(noPatient.statusCode).toBe(400);
    expect(noPatient.json()).toMatchObject({ error: { code: 'UNKNOWN_REFERENCE' } });
    expect(await rowCounts(context)).toEqual(before);
  });

  it('refuses bad input and answers 404 for an unknown id', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 1);
    const paused = await enroll(app, {
      patientId: patients[0],
      groupId: group.id,
      status: 'paused',
    });
    expect(paused.statusCode).toBe(400);
    expect(JSON.stringify(paused.json())).toContain('body.status');
    const noDate = await app.inject({
      method: 'POST',
      url: '/api/v1/enrollments',
      payload: { patientId: patients[0], groupId: group.id },
    });
    expect(noDate.statusCode).toBe(400);
    expect(JSON.stringify(noDate.json())).toContain('body.startsOn');
    for (const [method, payload] of [
      ['GET', undefined],
      ['PATCH', { version: 1, status: 'paused' }],
    ] as const) {
      const response = await app.inject({
        method,
        url: `/api/v1/enrollments/${unknownId}`,
        ...(payload ? { payload } : {}),
      });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it('ends an enrollment: endsOn defaults to today in the organization time zone', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 2);
    const [a, b] = patients;
    const first = (
      await enroll(app, { patientId: a, groupId: group.id, startsOn: '2025-01-07' })
    ).json<{ id: string }>();
    const ended = await app.inject({
      method: 'PATCH',
      url: `/api/v1/enrollments/${first.id}`,
      payload: { version: 1, status: 'ended', endReason: 'moved away' },
    });
    expect(ended.statusCode).toBe(200);
    // The clock stands at 2025-03-03T17:00Z, 09:00 in Los Angeles.
    expect(ended.json()).toMatchObject({
      status: 'ended',
      endsOn: '2025-03-03',
      endReason: 'moved away',
      version: 2,
    });
    const reopened = await app.inject({
      method: 'PATCH',
      url: `/api/v1/enrollments/${first.id}`,
      payload: { version: 2, status: 'active' },
    });
    expect(reopened.statusCode).toBe(409);
    expect(reopened.json()).toMatchObject({ error: { code: 'INVALID_TRANSITION' } });

    const second = (
      await enroll(app, { patientId: b, groupId: group.id, startsOn: '2025-01-07' })
    ).json<{ id: string }>();
    const dated = await app.inject({
      method: 'PATCH',
      url: `/api/v1/enrollments/${second.id}`,
      payload: { version: 1, status: 'ended', endsOn: '2025-02-28' },
    });
    expect(dated.json()).toMatchObject({ status: 'ended', endsOn: '2025-02-28' });
  });

  it('refuses endsOn without ending, and an end before the start', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 1);
    const enrollment = (
      await enroll(app, { patientId: patients[0], groupId: group.id, startsOn: '2025-03-04' })
    ).json<{ id: string }>();
    const url = `/api/v1/enrollments/${enrollment.id}`;
    const early = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 1, endsOn: '2025-03-10' },
    });
    expect(early.statusCode).toBe(400);
    expect(early.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { issues: [{ field: 'body.endsOn' }] } },
    });
    const before = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 1, status: 'ended', endsOn: '2025-03-01' },
    });
    expect(before.statusCode).toBe(400);
    expect(before.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { issues: [{ field: 'body.endsOn' }] } },
    });
  });

  it('re-checks capacity when a waitlisted or paused enrollment becomes active', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 3, { capacity: 1 });
    const [a, b, c] = patients;
    const seated = (await enroll(app, { patientId: a, groupId: group.id })).json<{ id: string }>();
    const waiting = (
      await enroll(app, { patientId: b, groupId: group.id, status: 'waitlisted' })
    ).json<{ id: string }>();
    const promote = (id: string, version: number) =>
      app.inject({
        method: 'PATCH',
        url: `/api/v1/enrollments/${id}`,
        payload: { version, status: 'active' },
      });
    const refused = await promote(waiting.id, 1);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      error: { code: 'GROUP_FULL', details: { capacity: 1, enrolled: 1 } },
    });

    const pause = await app.inject({
      method: 'PATCH',
      url: `/api/v1/enrollments/${seated.id}`,
      payload: { version: 1, status: 'paused' },
    });
    expect(pause.statusCode).toBe(200);
    expect((await promote(waiting.id, 1)).statusCode).toBe(200);
    // The paused patient now finds the seat taken.
    const back = await promote(seated.id, 2);
    expect(back.json()).toMatchObject({ error: { code: 'GROUP_FULL' } });
    expect(await activeCount(context, group.id)).toBe(1);
    expect((await enroll(app, { patientId: c, groupId: group.id })).statusCode).toBe(409);
  });

  it('answers 409 VERSION_CONFLICT to the second of two updates from the same version', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 1);
    const enrollment = (await enroll(app, { patientId: patients[0], groupId: group.id })).json<{
      id: string;
    }>();
    const url = `/api/v1/enrollments/${enrollment.id}`;
    const [first, second] = await Promise.all([
      app.inject({ method: 'PATCH', url, payload: { version: 1, status: 'paused' } }),
      app.inject({ method: 'PATCH', url, payload: { version: 1, status: 'waitlisted' } }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
    const loser = first.statusCode === 409 ? first : second;
    expect(loser.json()).toMatchObject({
      error: { code: 'VERSION_CONFLICT', details: { currentVersion: 2 } },
    });
  });

  it('never over-fills: 12 concurrent enrollments for 3 free seats seat exactly 3', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 14, { capacity: 5 });
    for (const patientId of patients.slice(0, 2))
      expect((await enroll(app, { patientId, groupId: group.id })).statusCode).toBe(201);
    await warmPool(context);
    const responses = await Promise.all(
      patients.slice(2).map((patientId) => enroll(app, { patientId, groupId: group.id })),
    );
    expect(responses).toHaveLength(12);
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(3);
    const refused = responses.filter((r) => r.statusCode !== 201);
    expect(refused).toHaveLength(9);
    for (const response of refused) {
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ error: { code: 'GROUP_FULL' } });
    }
    expect(await activeCount(context, group.id)).toBe(5);
    const read = await app.inject({ method: 'GET', url: `/api/v1/groups/${group.id}` });
    expect(read.json()).toMatchObject({ capacity: 5, enrolled: 5, openSeats: 0 });
  });

  it('never over-fills when waitlisted patients are promoted at the same time', async () => {
    const { app, context } = use();
    const { group, patients } = await groupWithPatients(app, context, 6, { capacity: 3 });
    for (const patientId of patients.slice(0, 2))
      expect((await enroll(app, { patientId, groupId: group.id })).statusCode).toBe(201);
    const waiting: string[] = [];
    for (const patientId of patients.slice(2)) {
      const response = await enroll(app, { patientId, groupId: group.id, status: 'waitlisted' });
      waiting.push(response.json<{ id: string }>().id);
    }
    await warmPool(context);
    const responses = await Promise.all(
      waiting.map((id) =>
        app.inject({
          method: 'PATCH',
          url: `/api/v1/enrollments/${id}`,
          payload: { version: 1, status: 'active' },
        }),
      ),
    );
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409, 409, 409]);
    expect(await activeCount(context, group.id)).toBe(3);
  });
});
