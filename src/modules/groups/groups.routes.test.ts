import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { buildGroup, create, unique } from '../../test/factories.ts';
import { describeEachEngine, rowCounts } from '../../test/harness.ts';

/*
 * The catalogue routes for areas, locations, clinicians and patients are built elsewhere, so the
 * rows these tests need are inserted directly.
 */
async function insertServiceArea(context: Context): Promise<string> {
  const id = uuidv7();
  const n = unique();
  await context.db
    .insertInto('service_area')
    .values({ id, code: `GA${n}`, name: `Area ${n}`, lat: 34.17, lon: -118.6, members: 1000 })
    .execute();
  return id;
}

async function insertLocation(context: Context, serviceAreaId?: string): Promise<string> {
  const id = uuidv7();
  const n = unique();
  await context.db
    .insertInto('location')
    .values({
      id,
      service_area_id: serviceAreaId ?? (await insertServiceArea(context)),
      name: `Clinic ${n}`,
      address: `${n} Ventura Blvd`,
      lat: 34.17,
      lon: -118.6,
    })
    .execute();
  return id;
}

async function insertClinician(context: Context, locationId: string): Promise<string> {
  const id = uuidv7();
  const n = unique();
  await context.db
    .insertInto('clinician')
    .values({
      id,
      npi: String(3_000_000_000 + n),
      name: `Clinician ${n}`,
      discipline: 'lcsw',
      specialties: ['perinatal_mood_anxiety'],
      languages: ['en'],
      location_id: locationId,
    })
    .execute();
  return id;
}

async function insertPatient(context: Context, serviceAreaId: string): Promise<string> {
  const id = uuidv7();
  const n = unique();
  await context.db
    .insertInto('patient')
    .values({
      id,
      mrn: `GRP-${n}`,
      name: `Patient ${n}`,
      birth_date: '1990-01-01',
      service_area_id: serviceAreaId,
      lat: 34.18,
      lon: -118.59,
    })
    .execute();
  return id;
}

interface SessionBody {
  id: string;
  startsAt: string;
  endsAt: string;
  status: string;
  cancelReason: string | null;
  disruptionId: string | null;
  attendance: { present: number; absent: number; excused: number };
}

async function allSessions(
  app: FastifyInstance,
  groupId: string,
  query = '',
): Promise<SessionBody[]> {
  const response = await app.inject({
    method: 'GET',
    url: `/api/v1/groups/${groupId}/sessions?limit=500${query}`,
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: SessionBody[] }>().items;
}

async function ids(app: FastifyInstance, query: string): Promise<string[]> {
  const response = await app.inject({ method: 'GET', url: `/api/v1/groups?${query}` });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: { id: string }[] }>().items.map((item) => item.id);
}

const unknownId = '0190f0a0-0000-7000-8000-000000000000';
const tuesdays = 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0';

describeEachEngine('groups API', (use) => {
  it('creates, reads and updates a group with its facilitators and seat counts', async () => {
    const { app, context } = use();
    const locationId = await insertLocation(context);
    const lead = await insertClinician(context, locationId);
    const co = await insertClinician(context, locationId);
    const created = await create(
      app,
      '/groups',
      buildGroup(locationId, {
        capacity: 8,
        minSize: undefined,
        sessionMinutes: undefined,
        facilitators: [
          { clinicianId: lead, role: 'lead' },
          { clinicianId: co, role: 'co' },
        ],
      }),
    );
    expect(created).toMatchObject({
      locationId,
      capacity: 8,
      minSize: 5,
      sessionMinutes: 90,
      kind: 'open',
      status: 'active',
      endsOn: null,
      enrolled: 0,
      openSeats: 8,
      version: 1,
    });
    expect(created.facilitators).toEqual([
      { clinicianId: lead, role: 'lead' },
      { clinicianId: co, role: 'co' },
    ]);

    const read = await app.inject({ method: 'GET', url: `/api/v1/groups/${created.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created);

    const renamed = await app.inject({
      method: 'PATCH',
      url: `/api/v1/groups/${created.id}`,
      payload: { version: 1, name: 'Renamed group' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Renamed group', version: 2 });
    expect(renamed.json<{ facilitators: unknown[] }>().facilitators).toHaveLength(2);

    const replaced = await app.inject({
      method: 'PATCH',
      url: `/api/v1/groups/${created.id}`,
      payload: { version: 2, facilitators: [{ clinicianId: co, role: 'lead' }] },
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({
      version: 3,
      facilitators: [{ clinicianId: co, role: 'lead' }],
    });
  });

  it('caps the default minimum size at a small capacity', async () => {
    const { app, context } = use();
    const locationId = await insertLocation(context);
    const small = await create(
      app,
      '/groups',
      buildGroup(locationId, { capacity: 3, minSize: undefined }),
    );
    expect(small).toMatchObject({ capacity: 3, minSize: 3, openSeats: 3 });
  });

  it('counts active enrollments and never shows fewer than 0 open seats', async () => {
    const { app, context } = use();
    const serviceAreaId = await insertServiceArea(context);
    const locationId = await insertLocation(context, serviceAreaId);
    const group = await create(app, '/groups', buildGroup(locationId, { capacity: 2, minSize: 1 }));
    for (const status of ['active', 'active', 'waitlisted']) {
      await create(app, '/enrollments', {
        patientId: await insertPatient(context, serviceAreaId),
        groupId: group.id,
        status,
        startsOn: '2025-03-04',
      });
    }
    const full = await app.inject({ method: 'GET', url: `/api/v1/groups/${group.id}` });
    expect(full.json()).toMatchObject({ enrolled: 2, openSeats: 0 });
    const shrunk = await app.inject({
      method: 'PATCH',
      url: `/api/v1/groups/${group.id}`,
      payload: { version: 1, capacity: 1 },
    });
    expect(shrunk.statusCode).toBe(200);
    expect(shrunk.json()).toMatchObject({ capacity: 1, enrolled: 2, openSeats: 0 });
  });

  it('filters by each field, exactly', async () => {
    const { app, context } = use();
    const serviceAreaId = await insertServiceArea(context);
    const locationId = await insertLocation(context, serviceAreaId);
    const clinicianId = await insertClinician(context, locationId);
    const perinatal = await create(
      app,
      '/groups',
      buildGroup(locationId, { capacity: 1, minSize: 1 }),
    );
    await create(app, '/enrollments', {
      patientId: await insertPatient(context, serviceAreaId),
      groupId: perinatal.id,
      startsOn: '2025-03-04',
    });
    const ptsd = await create(
      app,
      '/groups',
      buildGroup(locationId, {
        specialty: 'ptsd',
        modality: 'virtual',
        language: 'es',
        accommodations: ['evening'],
        status: 'paused',
        kind: 'closed',
        facilitators: [{ clinicianId, role: 'lead' }],
      }),
    );
    const elsewhere = await create(app, '/groups', buildGroup(await insertLocation(context)));
    const here = `locationId=${locationId}`;
    const both = [perinatal.id, ptsd.id].sort();

    expect(await ids(app, here)).toEqual(both);
    expect(await ids(app, `serviceAreaId=${serviceAreaId}`)).toEqual(both);
    const elsewhereArea = (
      await context.db
        .selectFrom('location')
        .select('service_area_id')
        .where('id', '=', elsewhere.locationId as string)
        .executeTakeFirstOrThrow()
    ).service_area_id;
    expect(await ids(app, `serviceAreaId=${elsewhereArea}`)).toEqual([elsewhere.id]);
    expect(await ids(app, `${here}&specialty=ptsd`)).toEqual([ptsd.id]);
    expect(await ids(app, `${here}&specialty=perinatal_mood_anxiety`)).toEqual([perinatal.id]);
    expect(await ids(app, `${here}&modality=virtual`)).toEqual([ptsd.id]);
    expect(await ids(app, `${here}&modality=in_person`)).toEqual([perinatal.id]);
    expect(await ids(app, `${here}&language=es`)).toEqual([ptsd.id]);
    expect(await ids(app, `${here}&accommodation=baby_friendly`)).toEqual([perinatal.id]);
    expect(await ids(app, `${here}&accommodation=evening`)).toEqual([ptsd.id]);
    expect(await ids(app, `${here}&accommodation=wheelchair`)).toEqual([]);
    expect(await ids(app, `${here}&status=paused`)).toEqual([ptsd.id]);
    expect(await ids(app, `${here}&status=active`)).toEqual([perinatal.id]);
    expect(await ids(app, `${here}&kind=closed`)).toEqual([ptsd.id]);
    expect(await ids(app, `${here}&hasOpenSeats=true`)).toEqual([ptsd.id]);
    expect(await ids(app, `${here}&hasOpenSeats=false`)).toEqual([perinatal.id]);
    expect(await ids(app, `clinicianId=${clinicianId}`)).toEqual([ptsd.id]);
  });

  it('generates 26 weeks of sessions in Los Angeles wall-clock time', async () => {
    const { app, context } = use();
    const group = await create(
      app,
      '/groups',
      buildGroup(await insertLocation(context), { rrule: tuesdays, startsOn: '2025-01-07' }),
    );
    const sessions = await allSessions(app, group.id);
    // The clock stands at Monday 2025-03-03 09:00 PST; the horizon is 26 weeks later.
    expect(sessions).toHaveLength(26);
    expect(sessions[0]).toMatchObject({
      startsAt: '2025-03-04T18:00:00.000Z', // 10:00 PST
      endsAt: '2025-03-04T19:30:00.000Z',
      status: 'scheduled',
      cancelReason: null,
      disruptionId: null,
    });
    expect(sessions[1]?.startsAt).toBe('2025-03-11T17:00:00.000Z'); // 10:00 PDT
    expect(sessions.at(-1)?.startsAt).toBe('2025-08-26T17:00:00.000Z');
    const starts = sessions.map((s) => s.startsAt);
    expect([...starts].sort()).toEqual(starts);
  });

  it("counts each session's attendance by status, naming no one", async () => {
    const { app, context } = use();
    const areaId = await insertServiceArea(context);
    const group = await create(app, '/groups', buildGroup(await insertLocation(context, areaId)));
    const [first, second] = await allSessions(app, group.id);
    if (!first || !second) throw new Error('the group has sessions');
    const statuses = ['present', 'present', 'absent', 'excused'] as const;
    for (const status of statuses) {
      await context.db
        .insertInto('attendance')
        .values({ session_id: first.id, patient_id: await insertPatient(context, areaId), status })
        .execute();
    }
    const [counted, untouched] = await allSessions(app, group.id);
    expect(counted?.attendance).toEqual({ present: 2, absent: 1, excused: 1 });
    expect(untouched?.attendance).toEqual({ present: 0, absent: 0, excused: 0 });
  });

  it('stops generating at endsOn, and generates nothing for an ended group', async () => {
    const { app, context } = use();
    const locationId = await insertLocation(context);
    const short = await create(app, '/groups', buildGroup(locationId, { endsOn: '2025-03-25' }));
    expect((await allSessions(app, short.id)).map((s) => s.startsAt)).toEqual([
      '2025-03-04T18:00:00.000Z',
      '2025-03-11T17:00:00.000Z',
      '2025-03-18T17:00:00.000Z',
      '2025-03-25T17:00:00.000Z',
    ]);
    const ended = await create(app, '/groups', buildGroup(locationId, { status: 'ended' }));
    expect(await allSessions(app, ended.id)).toEqual([]);
  });

  it('lists sessions by time window and status, and pages through them in order', async () => {
    const { app, context } = use();
    const group = await create(app, '/groups', buildGroup(await insertLocation(context)));
    const sessions = await allSessions(app, group.id);
    const window = await allSessions(
      app,
      group.id,
      '&from=2025-03-10T00:00:00Z&to=2025-03-25T17:00:00Z',
    );
    expect(window.map((s) => s.startsAt)).toEqual([
      '2025-03-11T17:00:00.000Z',
      '2025-03-18T17:00:00.000Z',
    ]);
    const held = sessions[2];
    if (!held) throw new Error('expected a third session');
    await context.db
      .updateTable('group_session')
      .set({ status: 'held' })
      .where('id', '=', held.id)
      .execute();
    expect((await allSessions(app, group.id, '&status=held')).map((s) => s.id)).toEqual([held.id]);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/groups/${group.id}/sessions?limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await app.inject({ method: 'GET', url })).json<{
        items: SessionBody[];
        nextCursor: string | null;
      }>();
      seen.push(...page.items.map((s) => s.startsAt));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(sessions.map((s) => s.startsAt));

    const bad = await app.inject({
      method: 'GET',
      url: `/api/v1/groups/${group.id}/sessions?cursor=bogus`,
    });
    expect(bad.json()).toMatchObject({ error: { code: 'BAD_CURSOR' } });
  });

  it('regenerates future sessions on a schedule change, keeping held, cancelled and attended ones', async () => {
    const { app, context } = use();
    const serviceAreaId = await insertServiceArea(context);
    const group = await create(
      app,
      '/groups',
      buildGroup(await insertLocation(context, serviceAreaId), { rrule: tuesdays }),
    );
    const url = `/api/v1/groups/${group.id}`;
    const original = await allSessions(app, group.id);
    const [, held, cancelled, attended, untouched] = original;
    if (!held || !cancelled || !attended || !untouched) throw new Error('expected 5 sessions');
    await context.db
      .updateTable('group_session')
      .set({ status: 'held' })
      .where('id', '=', held.id)
      .execute();
    await context.db
      .updateTable('group_session')
      .set({ status: 'cancelled', cancel_reason: 'clinician ill' })
      .where('id', '=', cancelled.id)
      .execute();
    await context.db
      .insertInto('attendance')
      .values({
        session_id: attended.id,
        patient_id: await insertPatient(context, serviceAreaId),
        status: 'present',
      })
      .execute();
    const protectedIds = [held.id, cancelled.id, attended.id].sort();

    const twice = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 1, rrule: 'FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=10;BYMINUTE=0' },
    });
    expect(twice.statusCode).toBe(200);
    const afterTwice = await allSessions(app, group.id);
    expect(afterTwice).toHaveLength(52);
    expect(new Set(afterTwice.map((s) => s.startsAt)).size).toBe(52);
    // An unchanged scheduled session is kept as it was, id and all.
    expect(afterTwice.find((s) => s.id === untouched.id)).toEqual(untouched);
    expect(afterTwice.find((s) => s.id === held.id)?.status).toBe('held');
    expect(afterTwice.find((s) => s.id === cancelled.id)).toMatchObject({
      status: 'cancelled',
      cancelReason: 'clinician ill',
    });

    const thursdays = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 2, rrule: 'FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0' },
    });
    expect(thursdays.statusCode).toBe(200);
    const afterThursdays = await allSessions(app, group.id);
    const tuesdaysLeft = afterThursdays.filter((s) => new Date(s.startsAt).getUTCDay() === 2);
    expect(tuesdaysLeft.map((s) => s.id).sort()).toEqual(protectedIds);
    expect(afterThursdays).toHaveLength(26 + 3);

    const shorter = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 3, sessionMinutes: 60 },
    });
    expect(shorter.statusCode).toBe(200);
    const afterShorter = await allSessions(app, group.id);
    expect(afterShorter).toHaveLength(29);
    for (const session of afterShorter) {
      const minutes = (Date.parse(session.endsAt) - Date.parse(session.startsAt)) / 60_000;
      expect(minutes).toBe(protectedIds.includes(session.id) ? 90 : 60);
    }

    const ended = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 4, status: 'ended' },
    });
    expect(ended.statusCode).toBe(200);
    expect((await allSessions(app, group.id)).map((s) => s.id).sort()).toEqual(protectedIds);
  });

  it('leaves sessions alone when a change does not touch the schedule', async () => {
    const { app, context } = use();
    const group = await create(app, '/groups', buildGroup(await insertLocation(context)));
    const stray = uuidv7();
    await context.db
      .insertInto('group_session')
      .values({
        id: stray,
        group_id: group.id,
        starts_at: new Date('2025-03-05T18:00:00Z'),
        ends_at: new Date('2025-03-05T19:30:00Z'),
      })
      .execute();
    const url = `/api/v1/groups/${group.id}`;
    await app.inject({ method: 'PATCH', url, payload: { version: 1, name: 'Still Tuesdays' } });
    expect((await allSessions(app, group.id)).map((s) => s.id)).toContain(stray);
    await app.inject({ method: 'PATCH', url, payload: { version: 2, startsOn: '2025-01-14' } });
    const after = await allSessions(app, group.id);
    expect(after.map((s) => s.id)).not.toContain(stray);
    expect(after).toHaveLength(26);
  });

  it('refuses a bad rrule with 400 naming body.rrule and the problem, and writes nothing', async () => {
    const { app, context } = use();
    const locationId = await insertLocation(context);
    const before = await rowCounts(context);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/groups',
      payload: buildGroup(locationId, { rrule: 'FREQ=WEEKLY;BYDAY=TU' }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: {
        code: 'VALIDATION_FAILED',
        details: {
          issues: [
            { field: 'body.rrule', problem: 'must set exactly one BYHOUR and one BYMINUTE' },
          ],
        },
      },
    });
    expect(await rowCounts(context)).toEqual(before);

    const group = await create(app, '/groups', buildGroup(locationId));
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/groups/${group.id}`,
      payload: { version: 1, rrule: 'FREQ=HOURLY;BYHOUR=9;BYMINUTE=0' },
    });
    expect(patch.statusCode).toBe(400);
    expect(patch.json()).toMatchObject({
      error: {
        details: {
          issues: [{ field: 'body.rrule', problem: 'FREQ must be DAILY, WEEKLY or MONTHLY' }],
        },
      },
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['capacity 13', { capacity: 13 }, 'body.capacity'],
    ['minSize above capacity', { capacity: 4, minSize: 6 }, 'body.minSize'],
    ['sessionMinutes 10', { sessionMinutes: 10 }, 'body.sessionMinutes'],
    ['endsOn before startsOn', { startsOn: '2025-03-01', endsOn: '2025-02-01' }, 'body.endsOn'],
    ['an unknown modality', { modality: 'phone' }, 'body.modality'],
  ])('refuses %s with 400 naming the field', async (_title, overrides, field) => {
    const { app, context } = use();
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/groups',
      payload: buildGroup(await insertLocation(context), overrides),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { issues: [{ field }] } },
    });
  });

  it('refuses more than 4 facilitators, and a clinician listed twice', async () => {
    const { app, context } = use();
    const locationId = await insertLocation(context);
    const clinicians = await Promise.all(
      [1, 2, 3, 4, 5].map(() => insertClinician(context, locationId)),
    );
    const five = await app.inject({
      method: 'POST',
      url: '/api/v1/groups',
      payload: buildGroup(locationId, {
        facilitators: clinicians.map((clinicianId) => ({ clinicianId, role: 'co' })),
      }),
    });
    expect(five.statusCode).toBe(400);
    expect(JSON.stringify(five.json())).toContain('body.facilitators');
    const twice = await app.inject({
      method: 'POST',
      url: '/api/v1/groups',
      payload: buildGroup(locationId, {
        facilitators: [
          { clinicianId: clinicians[0], role: 'lead' },
          { clinicianId: clinicians[0], role: 'co' },
        ],
      }),
    });
    expect(twice.statusCode).toBe(400);
    expect(JSON.stringify(twice.json())).toContain('body.facilitators');
  });

  it('checks minSize against the stored capacity on PATCH', async () => {
    const { app, context } = use();
    const group = await create(app, '/groups', buildGroup(await insertLocation(context)));
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/groups/${group.id}`,
      payload: { version: 1, capacity: 3 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { issues: [{ field: 'body.minSize' }] } },
    });
  });

  it('answers 400 UNKNOWN_REFERENCE for an unknown location or clinician, writing nothing', async () => {
    const { app, context } = use();
    const locationId = await insertLocation(context);
    const before = await rowCounts(context);
    const location = await app.inject({
      method: 'POST',
      url: '/api/v1/groups',
      payload: buildGroup(unknownId),
    });
    expect(location.statusCode).toBe(400);
    expect(location.json()).toMatchObject({ error: { code: 'UNKNOWN_REFERENCE' } });
    const clinician = await app.inject({
      method: 'POST',
      url: '/api/v1/groups',
      payload: buildGroup(locationId, { facilitators: [{ clinicianId: unknownId, role: 'lead' }] }),
    });
    expect(clinician.statusCode).toBe(400);
    expect(clinician.json()).toMatchObject({ error: { code: 'UNKNOWN_REFERENCE' } });
    // The group and its sessions were rolled back with the refused facilitator.
    expect(await rowCounts(context)).toEqual(before);
  });

  it('answers 404 for an unknown group', async () => {
    const { app } = use();
    for (const [method, url, payload] of [
      ['GET', `/api/v1/groups/${unknownId}`, undefined],
      ['GET', `/api/v1/groups/${unknownId}/sessions`, undefined],
      ['PATCH', `/api/v1/groups/${unknownId}`, { version: 1, name: 'x' }],
    ] as const) {
      const response = await app.inject({ method, url, ...(payload ? { payload } : {}) });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it('answers 409 VERSION_CONFLICT to the second of two updates from the same version', async () => {
    const { app, context } = use();
    const group = await create(app, '/groups', buildGroup(await insertLocation(context)));
    const url = `/api/v1/groups/${group.id}`;
    const [first, second] = await Promise.all([
      app.inject({
        method: 'PATCH',
        url,
        payload: { version: 1, rrule: 'FREQ=WEEKLY;BYDAY=WE;BYHOUR=10;BYMINUTE=0' },
      }),
      app.inject({
        method: 'PATCH',
        url,
        payload: { version: 1, rrule: 'FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0' },
      }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
    const loser = first.statusCode === 409 ? first : second;
    expect(loser.json()).toMatchObject({
      error: { code: 'VERSION_CONFLICT', details: { currentVersion: 2 } },
    });
    // Only the winner's schedule was generated.
    const sessions = await allSessions(app, group.id);
    expect(sessions).toHaveLength(26);
    expect(new Set(sessions.map((s) => new Date(s.startsAt).getUTCDay())).size).toBe(1);
  });
});
