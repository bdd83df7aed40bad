import type { FastifyInstance } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { buildPatient, buildServiceArea, create } from '../../test/factories.ts';
import { describeEachEngine, rowCounts, testNow } from '../../test/harness.ts';

const unknownId = '0190f0a0-0000-7000-8000-000000000000';

async function listIds(app: FastifyInstance, url: string): Promise<string[]> {
  const response = await app.inject({ method: 'GET', url });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: { id: string }[] }>().items.map((item) => item.id);
}

async function newArea(app: FastifyInstance): Promise<string> {
  return (await create(app, '/service-areas', buildServiceArea())).id;
}

describeEachEngine('patients API', (use) => {
  it('creates with defaults, reads, updates, and leaves unpatched fields alone', async () => {
    const { app } = use();
    const areaId = await newArea(app);
    const body = buildPatient(areaId, {
      language: 'es',
      needs: ['baby_friendly'],
      risk: undefined,
      perinatal: undefined,
    });
    const created = await create(app, '/patients', body);
    expect(created).toMatchObject({
      mrn: body.mrn,
      name: body.name,
      birthDate: '1992-05-14',
      language: 'es',
      serviceAreaId: areaId,
      needs: ['baby_friendly'],
      conditions: ['perinatal_mood_anxiety'],
      risk: 'low',
      dischargedAt: null,
      perinatal: false,
      contactPreferences: {},
      version: 1,
    });

    const url = `/api/v1/patients/${created.id}`;
    const read = await app.inject({ method: 'GET', url });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created);

    const preferences = {
      channels: ['sms', 'portal'],
      bestTime: 'after 6pm',
      doNotLeaveMessage: true,
    };
    const first = await app.inject({
      method: 'PATCH',
      url,
      payload: {
        version: 1,
        risk: 'high',
        dischargedAt: '2025-02-20T08:30:00-08:00',
        contactPreferences: preferences,
      },
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      risk: 'high',
      dischargedAt: '2025-02-20T16:30:00.000Z',
      contactPreferences: preferences,
      version: 2,
    });
    const second = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 2, perinatal: true, dischargedAt: null },
    });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({
      perinatal: true,
      dischargedAt: null,
      risk: 'high',
      contactPreferences: preferences,
      language: 'es',
      version: 3,
    });
    const reread = await app.inject({ method: 'GET', url });
    expect(reread.json()).toEqual(second.json());
  });

  it('pages through a list with a cursor, in id order, without repeats or gaps', async () => {
    const { app } = use();
    const areaId = await newArea(app);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(app, '/patients', buildPatient(areaId))).id);
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/patients?serviceAreaId=${areaId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await app.inject({ method: 'GET', url })).json<{
        items: { id: string }[];
        nextCursor: string | null;
      }>();
      pages.push(page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(ids.sort());
  });

  it('refuses bad input with 400 naming the field, never echoing the value, and writes nothing', async () => {
    const { app, context } = use();
    const areaId = await newArea(app);
    const before = await rowCounts(context);
    for (const [override, field] of [
      [{ mrn: 'mrn-lower-9' }, 'body.mrn'],
      [{ name: '' }, 'body.name'],
      [{ birthDate: '1992-02-30' }, 'body.birthDate'],
      [{ birthDate: '05/14/1992' }, 'body.birthDate'],
      [{ birthDate: '1899-12-31' }, 'body.birthDate'],
      [{ language: 'Spanish' }, 'body.language'],
      [{ needs: ['valet_parking'] }, 'body.needs.0'],
      [{ conditions: ['astrology'] }, 'body.conditions.0'],
      [{ risk: 'extreme' }, 'body.risk'],
      [{ dischargedAt: '2025-02-20' }, 'body.dischargedAt'],
      [{ perinatal: 'yes' }, 'body.perinatal'],
      [{ contactPreferences: { channels: ['pigeon'] } }, 'body.contactPreferences.channels.0'],
      [{ contactPreferences: { bestTime: 'x'.repeat(101) } }, 'body.contactPreferences.bestTime'],
      [{ contactPreferences: { fax: '555' } }, 'body.contactPreferences'],
      [{ ssn: '123-45-6789' }, 'body'],
    ] as const) {
      const payload = buildPatient(areaId, override);
      const response = await app.inject({ method: 'POST', url: '/api/v1/patients', payload });
      expect(response.statusCode, field).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      expect(JSON.stringify(response.json())).toContain(`"field":"${field}"`);
      for (const value of [payload.mrn, payload.name, payload.birthDate]) {
        if (typeof value === 'string' && value !== '') expect(response.body).not.toContain(value);
      }
    }
    expect(await rowCounts(context)).toEqual(before);
  });

  it('refuses a birth date after today (by the context clock), on create and on update', async () => {
    const { app, context } = use();
    const areaId = await newArea(app);
    // testNow is 09:00 on 2025-03-03 in Los Angeles.
    expect(testNow).toBe('2025-03-03T17:00:00.000Z');
    const patient = await create(
      app,
      '/patients',
      buildPatient(areaId, { birthDate: '2025-03-03' }),
    );
    const before = await rowCounts(context);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      payload: buildPatient(areaId, { birthDate: '2025-03-04' }),
    });
    expect(created.statusCode).toBe(400);
    expect(created.json()).toMatchObject({
      error: {
        code: 'VALIDATION_FAILED',
        details: { issues: [{ field: 'body.birthDate', problem: 'must not be in the future' }] },
      },
    });
    expect(created.body).not.toContain('2025-03-04');
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/patients/${patient.id}`,
      payload: { version: 1, birthDate: '2025-03-04' },
    });
    expect(patched.statusCode).toBe(400);
    expect(JSON.stringify(patched.json())).toContain('"field":"body.birthDate"');
    expect(await rowCounts(context)).toEqual(before);
    const read = await app.inject({ method: 'GET', url: `/api/v1/patients/${patient.id}` });
    expect(read.json()).toMatchObject({ birthDate: '2025-03-03', version: 1 });
  });

  it('has no filter on MRN, name or birth date, and does not echo one that is tried', async () => {
    const { app } = use();
    for (const query of ['mrn=MRN-424242', 'name=Jane%20Roe', 'birthDate=1990-01-01']) {
      const response = await app.inject({ method: 'GET', url: `/api/v1/patients?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      for (const value of ['MRN-424242', 'Jane', '1990-01-01']) {
        expect(response.body).not.toContain(value);
      }
    }
  });

  it('answers 404 NOT_FOUND for an unknown id, on read and on update', async () => {
    const { app } = use();
    const read = await app.inject({ method: 'GET', url: `/api/v1/patients/${unknownId}` });
    expect(read.statusCode).toBe(404);
    expect(read.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/patients/${unknownId}`,
      payload: { version: 1, risk: 'high' },
    });
    expect(patch.statusCode).toBe(404);
    expect(patch.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('answers 400 UNKNOWN_REFERENCE for a service area that does not exist', async () => {
    const { app, context } = use();
    const patient = await create(app, '/patients', buildPatient(await newArea(app)));
    const before = await rowCounts(context);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      payload: buildPatient(unknownId),
    });
    expect(created.statusCode).toBe(400);
    expect(created.json()).toMatchObject({
      error: { code: 'UNKNOWN_REFERENCE', details: { constraint: 'patient_service_area_id_fkey' } },
    });
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/patients/${patient.id}`,
      payload: { version: 1, serviceAreaId: unknownId },
    });
    expect(patched.statusCode).toBe(400);
    expect(patched.json()).toMatchObject({ error: { code: 'UNKNOWN_REFERENCE' } });
    expect(await rowCounts(context)).toEqual(before);
  });

  it('answers 409 DUPLICATE for a taken MRN without repeating the MRN or the name', async () => {
    const { app, context } = use();
    const areaId = await newArea(app);
    const first = buildPatient(areaId, { mrn: 'DUP-MRN-7731', name: 'Marisol Quintero' });
    await create(app, '/patients', first);
    const other = await create(app, '/patients', buildPatient(areaId));
    const before = await rowCounts(context);
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      payload: buildPatient(areaId, { mrn: 'DUP-MRN-7731', name: 'Marisol Quintero' }),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      error: { code: 'DUPLICATE', details: { constraint: 'patient_mrn_key' } },
    });
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/patients/${other.id}`,
      payload: { version: 1, mrn: 'DUP-MRN-7731' },
    });
    expect(patched.statusCode).toBe(409);
    expect(patched.json()).toMatchObject({ error: { code: 'DUPLICATE' } });
    for (const response of [again, patched]) {
      for (const value of ['DUP-MRN-7731', 'Marisol', 'Quintero', first.birthDate]) {
        expect(response.body).not.toContain(value);
      }
    }
    expect(await rowCounts(context)).toEqual(before);
  });

  it('answers 409 VERSION_CONFLICT to the second of two updates from the same version', async () => {
    const { app } = use();
    const patient = await create(app, '/patients', buildPatient(await newArea(app)));
    const url = `/api/v1/patients/${patient.id}`;
    const [first, second] = await Promise.all([
      app.inject({ method: 'PATCH', url, payload: { version: 1, risk: 'moderate' } }),
      app.inject({ method: 'PATCH', url, payload: { version: 1, risk: 'high' } }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
    const loser = first.statusCode === 409 ? first : second;
    const winner = first.statusCode === 409 ? second : first;
    expect(loser.json()).toMatchObject({
      error: { code: 'VERSION_CONFLICT', details: { currentVersion: 2 } },
    });
    const read = await app.inject({ method: 'GET', url });
    expect(read.json()).toMatchObject({ version: 2, risk: winner.json<{ risk: string }>().risk });
  });
});

describeEachEngine('patients API filters', (use) => {
  // A known population in a database of its own, so every filter can be checked for exact ids.
  // The clock is testNow, 2025-03-03T17:00Z: "recent" means discharged at or after 2025-02-01T17:00Z.
  const ids: Record<string, string> = {};
  const places: Record<string, string> = { unknown: unknownId };

  beforeAll(async () => {
    const { app } = use();
    places.areaA = await newArea(app);
    places.areaB = await newArea(app);
    const patients = {
      p1: buildPatient(places.areaA, {
        risk: 'high',
        perinatal: true,
        language: 'en',
        dischargedAt: '2025-02-20T00:00:00Z',
      }),
      p2: buildPatient(places.areaA, {
        risk: 'low',
        perinatal: false,
        language: 'es',
        dischargedAt: '2025-02-01T17:00:00Z',
      }),
      p3: buildPatient(places.areaB, {
        risk: 'moderate',
        perinatal: true,
        language: 'es',
        dischargedAt: '2025-02-01T16:59:59Z',
      }),
      p4: buildPatient(places.areaB, { risk: 'low', perinatal: false, language: 'en' }),
      p5: buildPatient(places.areaA, {
        risk: 'high',
        perinatal: false,
        language: 'vi',
        dischargedAt: '2025-03-10T00:00:00Z',
      }),
    };
    for (const [name, body] of Object.entries(patients)) {
      ids[name] = (await create(app, '/patients', body)).id;
    }
  });

  it.each([
    { query: '', expected: ['p1', 'p2', 'p3', 'p4', 'p5'] },
    { query: 'serviceAreaId={areaA}', expected: ['p1', 'p2', 'p5'] },
    { query: 'serviceAreaId={areaB}', expected: ['p3', 'p4'] },
    { query: 'serviceAreaId={unknown}', expected: [] },
    { query: 'risk=high', expected: ['p1', 'p5'] },
    { query: 'risk=moderate', expected: ['p3'] },
    { query: 'perinatal=true', expected: ['p1', 'p3'] },
    { query: 'perinatal=false', expected: ['p2', 'p4', 'p5'] },
    { query: 'language=es', expected: ['p2', 'p3'] },
    { query: 'language=fr', expected: [] },
    { query: 'recentlyDischarged=true', expected: ['p1', 'p2'] },
    { query: 'recentlyDischarged=false', expected: ['p3', 'p4', 'p5'] },
    { query: 'serviceAreaId={areaA}&recentlyDischarged=true&risk=low', expected: ['p2'] },
    { query: 'perinatal=true&language=es', expected: ['p3'] },
  ])('?$query lists $expected', async ({ query, expected }) => {
    const { app } = use();
    const want = expected.map((name) => ids[name]).sort();
    expect(await listIds(app, `/api/v1/patients?${fill(query, places)}`)).toEqual(want);
  });

  it('refuses a filter value other than true or false', async () => {
    const { app } = use();
    const response = await app.inject({ method: 'GET', url: '/api/v1/patients?perinatal=1' });
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.json())).toContain('querystring.perinatal');
  });
});

/** Replaces each {key} in a query with the id it names. */
function fill(query: string, values: Record<string, string>): string {
  return query.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`No id for {${key}}.`);
    return value;
  });
}
