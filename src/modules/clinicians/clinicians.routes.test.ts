import type { FastifyInstance } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import {
  buildClinician,
  buildLocation,
  buildServiceArea,
  create,
  unique,
} from '../../test/factories.ts';
import { describeEachEngine, rowCounts } from '../../test/harness.ts';

const unknownId = '0190f0a0-0000-7000-8000-000000000000';

async function listIds(app: FastifyInstance, url: string): Promise<string[]> {
  const response = await app.inject({ method: 'GET', url });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: { id: string }[] }>().items.map((item) => item.id);
}

/** Replaces each {key} in a query with the id it names. */
function fill(query: string, values: Record<string, string>): string {
  return query.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`No id for {${key}}.`);
    return value;
  });
}

async function newLocation(app: FastifyInstance): Promise<string> {
  const area = await create(app, '/service-areas', buildServiceArea());
  return (await create(app, '/locations', buildLocation(area.id))).id;
}

describeEachEngine('clinicians API', (use) => {
  it('creates with defaults, reads, updates, and leaves unpatched fields alone', async () => {
    const { app } = use();
    const locationId = await newLocation(app);
    const body = buildClinician(locationId, {
      name: 'Dr. Rivera',
      discipline: 'psychologist',
      languages: ['en', 'es'],
      fte: 0.6,
      specialties: undefined,
      certifications: undefined,
    });
    const created = await create(app, '/clinicians', body);
    expect(created).toMatchObject({
      npi: body.npi,
      name: 'Dr. Rivera',
      discipline: 'psychologist',
      specialties: [],
      languages: ['en', 'es'],
      certifications: [],
      locationId,
      fte: 0.6,
      status: 'active',
      version: 1,
    });

    const url = `/api/v1/clinicians/${created.id}`;
    const read = await app.inject({ method: 'GET', url });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created);

    const leave = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 1, status: 'leave' },
    });
    expect(leave.statusCode).toBe(200);
    expect(leave.json()).toMatchObject({ status: 'leave', version: 2 });
    const more = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 2, specialties: ['ptsd'], certifications: ['emdr'], fte: 0.75 },
    });
    expect(more.statusCode).toBe(200);
    expect(more.json()).toMatchObject({
      specialties: ['ptsd'],
      certifications: ['emdr'],
      fte: 0.75,
      status: 'leave',
      languages: ['en', 'es'],
      version: 3,
    });
  });

  it('pages through a list with a cursor, in id order, without repeats or gaps', async () => {
    const { app } = use();
    const locationId = await newLocation(app);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await create(app, '/clinicians', buildClinician(locationId))).id);
    }
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/clinicians?locationId=${locationId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
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

  it('refuses bad input with 400 naming the field, and writes nothing', async () => {
    const { app, context } = use();
    const locationId = await newLocation(app);
    const before = await rowCounts(context);
    for (const [override, field] of [
      [{ npi: '12345' }, 'body.npi'],
      [{ fte: 0 }, 'body.fte'],
      [{ fte: 1.01 }, 'body.fte'],
      [{ fte: 0.333 }, 'body.fte'],
      [{ languages: [] }, 'body.languages'],
      [{ languages: ['English'] }, 'body.languages.0'],
      [{ discipline: 'shaman' }, 'body.discipline'],
      [{ specialties: ['astrology'] }, 'body.specialties.0'],
      [{ certifications: ['pmh-c'] }, 'body.certifications.0'],
      [{ status: 'retired' }, 'body.status'],
      [{ locationId: 'nowhere' }, 'body.locationId'],
    ] as const) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/clinicians',
        payload: buildClinician(locationId, override),
      });
      expect(response.statusCode, field).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      expect(JSON.stringify(response.json())).toContain(`"field":"${field}"`);
    }
    for (const [query, field] of [
      ['specialty=astrology', 'querystring.specialty'],
      ['status=retired', 'querystring.status'],
      ['language=EN', 'querystring.language'],
    ] as const) {
      const response = await app.inject({ method: 'GET', url: `/api/v1/clinicians?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(JSON.stringify(response.json())).toContain(field);
    }
    expect(await rowCounts(context)).toEqual(before);
  });

  it('answers 404 NOT_FOUND for an unknown id, on read and on update', async () => {
    const { app } = use();
    const read = await app.inject({ method: 'GET', url: `/api/v1/clinicians/${unknownId}` });
    expect(read.statusCode).toBe(404);
    expect(read.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/clinicians/${unknownId}`,
      payload: { version: 1, status: 'leave' },
    });
    expect(patch.statusCode).toBe(404);
    expect(patch.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('answers 400 UNKNOWN_REFERENCE for a location that does not exist', async () => {
    const { app, context } = use();
    const clinician = await create(app, '/clinicians', buildClinician(await newLocation(app)));
    const before = await rowCounts(context);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/clinicians',
      payload: buildClinician(unknownId),
    });
    expect(created.statusCode).toBe(400);
    expect(created.json()).toMatchObject({
      error: { code: 'UNKNOWN_REFERENCE', details: { constraint: 'clinician_location_id_fkey' } },
    });
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/clinicians/${clinician.id}`,
      payload: { version: 1, locationId: unknownId },
    });
    expect(patched.statusCode).toBe(400);
    expect(patched.json()).toMatchObject({ error: { code: 'UNKNOWN_REFERENCE' } });
    expect(await rowCounts(context)).toEqual(before);
  });

  it('answers 409 DUPLICATE for a taken NPI, on create and on update', async () => {
    const { app, context } = use();
    const locationId = await newLocation(app);
    const npi = String(3_000_000_000 + unique());
    await create(app, '/clinicians', buildClinician(locationId, { npi }));
    const other = await create(app, '/clinicians', buildClinician(locationId));
    const before = await rowCounts(context);
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/clinicians',
      payload: buildClinician(locationId, { npi }),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      error: { code: 'DUPLICATE', details: { constraint: 'clinician_npi_key' } },
    });
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/clinicians/${other.id}`,
      payload: { version: 1, npi },
    });
    expect(patched.statusCode).toBe(409);
    expect(patched.json()).toMatchObject({ error: { code: 'DUPLICATE' } });
    expect(await rowCounts(context)).toEqual(before);
  });

  it('answers 409 VERSION_CONFLICT to the second of two updates from the same version', async () => {
    const { app } = use();
    const clinician = await create(app, '/clinicians', buildClinician(await newLocation(app)));
    const url = `/api/v1/clinicians/${clinician.id}`;
    const [first, second] = await Promise.all([
      app.inject({ method: 'PATCH', url, payload: { version: 1, status: 'leave' } }),
      app.inject({ method: 'PATCH', url, payload: { version: 1, status: 'inactive' } }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
    const loser = first.statusCode === 409 ? first : second;
    const winner = first.statusCode === 409 ? second : first;
    expect(loser.json()).toMatchObject({
      error: { code: 'VERSION_CONFLICT', details: { currentVersion: 2 } },
    });
    const read = await app.inject({ method: 'GET', url });
    expect(read.json()).toMatchObject({
      version: 2,
      status: winner.json<{ status: string }>().status,
    });
  });
});

describeEachEngine('clinicians API filters', (use) => {
  // A known catalogue in a database of its own, so every filter can be checked for exact ids.
  const ids: Record<string, string> = {};
  const places: Record<string, string> = { unknown: unknownId };

  beforeAll(async () => {
    const { app } = use();
    const areaA = await create(app, '/service-areas', buildServiceArea());
    const areaB = await create(app, '/service-areas', buildServiceArea());
    places.areaA = areaA.id;
    places.areaB = areaB.id;
    places.a1 = (await create(app, '/locations', buildLocation(areaA.id))).id;
    places.a2 = (await create(app, '/locations', buildLocation(areaA.id))).id;
    places.b1 = (await create(app, '/locations', buildLocation(areaB.id))).id;
    const clinicians = {
      c1: buildClinician(places.a1, {
        discipline: 'lcsw',
        specialties: ['perinatal_mood_anxiety'],
        languages: ['en'],
        certifications: ['pmh_c'],
      }),
      c2: buildClinician(places.a2, {
        discipline: 'psychologist',
        specialties: ['ptsd', 'grief'],
        languages: ['en', 'es'],
        certifications: ['emdr'],
        status: 'leave',
      }),
      c3: buildClinician(places.b1, {
        discipline: 'lcsw',
        specialties: ['ptsd'],
        languages: ['es'],
        certifications: [],
        status: 'inactive',
      }),
      c4: buildClinician(places.b1, {
        discipline: 'psychiatrist',
        specialties: ['perinatal_mood_anxiety', 'psychosis'],
        languages: ['vi'],
        certifications: ['dbt_certified', 'pmh_c'],
      }),
    };
    for (const [name, body] of Object.entries(clinicians)) {
      ids[name] = (await create(app, '/clinicians', body)).id;
    }
  });

  it.each([
    { query: '', expected: ['c1', 'c2', 'c3', 'c4'] },
    { query: 'locationId={a1}', expected: ['c1'] },
    { query: 'locationId={b1}', expected: ['c3', 'c4'] },
    { query: 'serviceAreaId={areaA}', expected: ['c1', 'c2'] },
    { query: 'serviceAreaId={areaB}', expected: ['c3', 'c4'] },
    { query: 'serviceAreaId={unknown}', expected: [] },
    { query: 'specialty=ptsd', expected: ['c2', 'c3'] },
    { query: 'specialty=perinatal_mood_anxiety', expected: ['c1', 'c4'] },
    { query: 'specialty=ocd', expected: [] },
    { query: 'language=en', expected: ['c1', 'c2'] },
    { query: 'language=es', expected: ['c2', 'c3'] },
    { query: 'discipline=lcsw', expected: ['c1', 'c3'] },
    { query: 'discipline=psychiatrist', expected: ['c4'] },
    { query: 'status=active', expected: ['c1', 'c4'] },
    { query: 'status=leave', expected: ['c2'] },
    { query: 'certification=pmh_c', expected: ['c1', 'c4'] },
    { query: 'certification=emdr', expected: ['c2'] },
    {
      query: 'serviceAreaId={areaB}&specialty=perinatal_mood_anxiety',
      expected: ['c4'],
    },
    { query: 'language=es&discipline=lcsw&status=inactive', expected: ['c3'] },
  ])('?$query lists $expected', async ({ query, expected }) => {
    const { app } = use();
    const want = expected.map((name) => ids[name]).sort();
    expect(await listIds(app, `/api/v1/clinicians?${fill(query, places)}`)).toEqual(want);
  });
});
