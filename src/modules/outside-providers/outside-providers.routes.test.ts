import type { FastifyInstance } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import { buildOutsideProvider, create, unique } from '../../test/factories.ts';
import { describeEachEngine, rowCounts } from '../../test/harness.ts';

const unknownId = '0190f0a0-0000-7000-8000-000000000000';

async function listIds(app: FastifyInstance, url: string): Promise<string[]> {
  const response = await app.inject({ method: 'GET', url });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: { id: string }[] }>().items.map((item) => item.id);
}

describeEachEngine('outside providers API', (use) => {
  it('creates with defaults, reads, updates, and leaves unpatched fields alone', async () => {
    const { app } = use();
    const body = buildOutsideProvider({
      name: 'Dr. Okafor',
      organization: undefined,
      npi: undefined,
      certifications: undefined,
      accommodations: undefined,
      accepting: undefined,
    });
    const created = await create(app, '/outside-providers', body);
    expect(created).toMatchObject({
      name: 'Dr. Okafor',
      organization: null,
      npi: null,
      specialties: ['perinatal_mood_anxiety'],
      languages: ['en', 'es'],
      certifications: [],
      modality: 'both',
      accommodations: [],
      weeklyCapacity: 6,
      accepting: true,
      capacityConfirmedAt: null,
      version: 1,
    });

    const url = `/api/v1/outside-providers/${created.id}`;
    const read = await app.inject({ method: 'GET', url });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created);

    const first = await app.inject({
      method: 'PATCH',
      url,
      payload: {
        version: 1,
        organization: 'Valley Perinatal Therapy',
        weeklyCapacity: 2,
        capacityConfirmedAt: '2025-03-01T09:00:00-08:00',
      },
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      organization: 'Valley Perinatal Therapy',
      weeklyCapacity: 2,
      capacityConfirmedAt: '2025-03-01T17:00:00.000Z',
      version: 2,
    });
    const second = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 2, accepting: false, organization: null },
    });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({
      accepting: false,
      organization: null,
      weeklyCapacity: 2,
      capacityConfirmedAt: '2025-03-01T17:00:00.000Z',
      modality: 'both',
      version: 3,
    });
  });

  it('allows any number of providers without an NPI', async () => {
    const { app } = use();
    const a = await create(app, '/outside-providers', buildOutsideProvider({ npi: null }));
    const b = await create(app, '/outside-providers', buildOutsideProvider({ npi: null }));
    expect([a.npi, b.npi]).toEqual([null, null]);
    expect(a.id).not.toBe(b.id);
  });

  it('refuses bad input with 400 naming the field, and writes nothing', async () => {
    const { app, context } = use();
    const before = await rowCounts(context);
    for (const [override, field] of [
      [{ name: '' }, 'body.name'],
      [{ npi: '12345678901' }, 'body.npi'],
      [{ organization: 'x'.repeat(201) }, 'body.organization'],
      [{ specialties: ['astrology'] }, 'body.specialties.0'],
      [{ languages: [] }, 'body.languages'],
      [{ certifications: ['pmh-c'] }, 'body.certifications.0'],
      [{ modality: 'carrier_pigeon' }, 'body.modality'],
      [{ lon: -181 }, 'body.lon'],
      [{ accommodations: ['valet_parking'] }, 'body.accommodations.0'],
      [{ weeklyCapacity: 1001 }, 'body.weeklyCapacity'],
      [{ weeklyCapacity: -1 }, 'body.weeklyCapacity'],
      [{ weeklyCapacity: 2.5 }, 'body.weeklyCapacity'],
      [{ capacityConfirmedAt: 'last week' }, 'body.capacityConfirmedAt'],
      [{ weeklyCapacity: undefined }, 'body.weeklyCapacity'],
    ] as const) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/outside-providers',
        payload: buildOutsideProvider(override),
      });
      expect(response.statusCode, field).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      expect(JSON.stringify(response.json())).toContain(`"field":"${field}"`);
    }
    for (const [query, field] of [
      ['modality=carrier_pigeon', 'querystring.modality'],
      ['accepting=yes', 'querystring.accepting'],
      ['accommodation=valet_parking', 'querystring.accommodation'],
    ] as const) {
      const response = await app.inject({
        method: 'GET',
        url: `/api/v1/outside-providers?${query}`,
      });
      expect(response.statusCode, query).toBe(400);
      expect(JSON.stringify(response.json())).toContain(field);
    }
    expect(await rowCounts(context)).toEqual(before);
  });

  it('answers 404 NOT_FOUND for an unknown id, on read and on update', async () => {
    const { app } = use();
    const url = `/api/v1/outside-providers/${unknownId}`;
    const read = await app.inject({ method: 'GET', url });
    expect(read.statusCode).toBe(404);
    expect(read.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const patch = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 1, accepting: false },
    });
    expect(patch.statusCode).toBe(404);
    expect(patch.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('answers 409 DUPLICATE for a taken NPI, on create and on update', async () => {
    const { app, context } = use();
    const npi = String(4_000_000_000 + unique());
    await create(app, '/outside-providers', buildOutsideProvider({ npi }));
    const other = await create(app, '/outside-providers', buildOutsideProvider());
    const before = await rowCounts(context);
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/outside-providers',
      payload: buildOutsideProvider({ npi }),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      error: { code: 'DUPLICATE', details: { constraint: 'outside_provider_npi_key' } },
    });
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/outside-providers/${other.id}`,
      payload: { version: 1, npi },
    });
    expect(patched.statusCode).toBe(409);
    expect(patched.json()).toMatchObject({ error: { code: 'DUPLICATE' } });
    expect(await rowCounts(context)).toEqual(before);
  });

  it('answers 409 VERSION_CONFLICT to the second of two updates from the same version', async () => {
    const { app } = use();
    const provider = await create(app, '/outside-providers', buildOutsideProvider());
    const url = `/api/v1/outside-providers/${provider.id}`;
    const [first, second] = await Promise.all([
      app.inject({ method: 'PATCH', url, payload: { version: 1, weeklyCapacity: 1 } }),
      app.inject({ method: 'PATCH', url, payload: { version: 1, weeklyCapacity: 2 } }),
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
      weeklyCapacity: winner.json<{ weeklyCapacity: number }>().weeklyCapacity,
    });
  });
});

describeEachEngine('outside providers API filters', (use) => {
  // A known directory in a database of its own, so every filter can be checked for exact ids.
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const { app } = use();
    const providers = {
      o1: buildOutsideProvider({
        specialties: ['perinatal_mood_anxiety'],
        languages: ['en', 'es'],
        certifications: ['pmh_c'],
        modality: 'both',
        accommodations: ['baby_friendly'],
        accepting: true,
      }),
      o2: buildOutsideProvider({
        specialties: ['ptsd'],
        languages: ['en'],
        certifications: ['emdr'],
        modality: 'virtual',
        accommodations: [],
        accepting: false,
      }),
      o3: buildOutsideProvider({
        specialties: ['ptsd', 'grief'],
        languages: ['es'],
        certifications: [],
        modality: 'in_person',
        accommodations: ['wheelchair', 'interpreter'],
        accepting: true,
      }),
      o4: buildOutsideProvider({
        specialties: ['perinatal_mood_anxiety'],
        languages: ['vi'],
        certifications: ['pmh_c', 'emdr'],
        modality: 'in_person',
        accommodations: ['baby_friendly', 'evening'],
        accepting: false,
      }),
      o5: buildOutsideProvider({
        specialties: ['eating_disorders'],
        languages: ['en'],
        certifications: [],
        modality: 'virtual',
        accommodations: ['evening'],
        accepting: true,
      }),
    };
    for (const [name, body] of Object.entries(providers)) {
      ids[name] = (await create(app, '/outside-providers', body)).id;
    }
  });

  it.each([
    { query: '', expected: ['o1', 'o2', 'o3', 'o4', 'o5'] },
    { query: 'specialty=ptsd', expected: ['o2', 'o3'] },
    { query: 'specialty=perinatal_mood_anxiety', expected: ['o1', 'o4'] },
    { query: 'specialty=ocd', expected: [] },
    { query: 'language=es', expected: ['o1', 'o3'] },
    { query: 'language=en', expected: ['o1', 'o2', 'o5'] },
    { query: 'certification=pmh_c', expected: ['o1', 'o4'] },
    { query: 'certification=emdr', expected: ['o2', 'o4'] },
    { query: 'modality=virtual', expected: ['o1', 'o2', 'o5'] },
    { query: 'modality=in_person', expected: ['o1', 'o3', 'o4'] },
    { query: 'modality=both', expected: ['o1'] },
    { query: 'accepting=true', expected: ['o1', 'o3', 'o5'] },
    { query: 'accepting=false', expected: ['o2', 'o4'] },
    { query: 'accommodation=baby_friendly', expected: ['o1', 'o4'] },
    { query: 'accommodation=evening', expected: ['o4', 'o5'] },
    { query: 'accommodation=interpreter', expected: ['o3'] },
    { query: 'specialty=perinatal_mood_anxiety&accepting=true', expected: ['o1'] },
    { query: 'modality=in_person&accommodation=evening&certification=emdr', expected: ['o4'] },
  ])('?$query lists $expected', async ({ query, expected }) => {
    const { app } = use();
    const want = expected.map((name) => ids[name]).sort();
    expect(await listIds(app, `/api/v1/outside-providers?${query}`)).toEqual(want);
  });

  it('pages through the whole directory with a cursor, in id order, without repeats or gaps', async () => {
    const { app } = use();
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/outside-providers?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await app.inject({ method: 'GET', url })).json<{
        items: { id: string }[];
        nextCursor: string | null;
      }>();
      pages.push(page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(Object.values(ids).sort());
  });
});
