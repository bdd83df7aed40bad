import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { buildLocation, buildServiceArea, create } from '../../test/factories.ts';
import { describeEachEngine, rowCounts } from '../../test/harness.ts';

const unknownId = '0190f0a0-0000-7000-8000-000000000000';

async function listIds(app: FastifyInstance, url: string): Promise<string[]> {
  const response = await app.inject({ method: 'GET', url });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: { id: string }[] }>().items.map((item) => item.id);
}

describeEachEngine('locations API', (use) => {
  async function newArea(): Promise<string> {
    return (await create(use().app, '/service-areas', buildServiceArea())).id;
  }

  it('creates, reads, updates, and leaves unpatched fields alone', async () => {
    const { app } = use();
    const areaId = await newArea();
    // Without `accessible`: it defaults to true (undefined is left out of the JSON).
    const body = buildLocation(areaId, { name: 'Canoga Park', accessible: undefined });
    const created = await create(app, '/locations', body);
    expect(created).toMatchObject({
      serviceAreaId: areaId,
      name: 'Canoga Park',
      accessible: true,
      version: 1,
    });

    const read = await app.inject({ method: 'GET', url: `/api/v1/locations/${created.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created);

    const url = `/api/v1/locations/${created.id}`;
    const first = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 1, accessible: false },
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ accessible: false, version: 2 });
    const second = await app.inject({
      method: 'PATCH',
      url,
      payload: { version: 2, name: 'Canoga Park East' },
    });
    expect(second.json()).toMatchObject({
      name: 'Canoga Park East',
      accessible: false,
      address: body.address,
      version: 3,
    });
  });

  it('filters by service area', async () => {
    const { app } = use();
    const [areaA, areaB] = [await newArea(), await newArea()];
    const a1 = await create(app, '/locations', buildLocation(areaA));
    const b1 = await create(app, '/locations', buildLocation(areaB));
    const a2 = await create(app, '/locations', buildLocation(areaA));
    expect(await listIds(app, `/api/v1/locations?serviceAreaId=${areaA}`)).toEqual(
      [a1.id, a2.id].sort(),
    );
    expect(await listIds(app, `/api/v1/locations?serviceAreaId=${areaB}`)).toEqual([b1.id]);
    expect(await listIds(app, `/api/v1/locations?serviceAreaId=${unknownId}`)).toEqual([]);
  });

  it('pages through a list with a cursor, in id order, without repeats or gaps', async () => {
    const { app } = use();
    const areaId = await newArea();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await create(app, '/locations', buildLocation(areaId))).id);
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/locations?serviceAreaId=${areaId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
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
    const areaId = await newArea();
    const before = await rowCounts(context);
    for (const [override, field] of [
      [{ lat: 123 }, 'body.lat'],
      [{ address: '' }, 'body.address'],
      [{ serviceAreaId: 'not-a-uuid' }, 'body.serviceAreaId'],
      [{ accessible: 'yes' }, 'body.accessible'],
    ] as const) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/locations',
        payload: buildLocation(areaId, override),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      expect(JSON.stringify(response.json())).toContain(field);
    }
    const filter = await app.inject({ method: 'GET', url: '/api/v1/locations?serviceAreaId=x' });
    expect(filter.statusCode).toBe(400);
    expect(JSON.stringify(filter.json())).toContain('querystring.serviceAreaId');
    expect(await rowCounts(context)).toEqual(before);
  });

  it('answers 404 NOT_FOUND for an unknown id, on read and on update', async () => {
    const { app } = use();
    const read = await app.inject({ method: 'GET', url: `/api/v1/locations/${unknownId}` });
    expect(read.statusCode).toBe(404);
    expect(read.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/locations/${unknownId}`,
      payload: { version: 1, name: 'Nowhere' },
    });
    expect(patch.statusCode).toBe(404);
    expect(patch.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('answers 400 UNKNOWN_REFERENCE for a service area that does not exist', async () => {
    const { app, context } = use();
    const location = await create(app, '/locations', buildLocation(await newArea()));
    const before = await rowCounts(context);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/locations',
      payload: buildLocation(unknownId),
    });
    expect(created.statusCode).toBe(400);
    expect(created.json()).toMatchObject({
      error: {
        code: 'UNKNOWN_REFERENCE',
        details: { constraint: 'location_service_area_id_fkey' },
      },
    });
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/locations/${location.id}`,
      payload: { version: 1, serviceAreaId: unknownId },
    });
    expect(patched.statusCode).toBe(400);
    expect(patched.json()).toMatchObject({ error: { code: 'UNKNOWN_REFERENCE' } });
    expect(await rowCounts(context)).toEqual(before);
  });

  it('answers 409 VERSION_CONFLICT to the second of two updates from the same version', async () => {
    const { app } = use();
    const location = await create(app, '/locations', buildLocation(await newArea()));
    const url = `/api/v1/locations/${location.id}`;
    const [first, second] = await Promise.all([
      app.inject({ method: 'PATCH', url, payload: { version: 1, name: 'First' } }),
      app.inject({ method: 'PATCH', url, payload: { version: 1, name: 'Second' } }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
    const loser = first.statusCode === 409 ? first : second;
    const winner = first.statusCode === 409 ? second : first;
    expect(loser.json()).toMatchObject({
      error: { code: 'VERSION_CONFLICT', details: { currentVersion: 2 } },
    });
    const read = await app.inject({ method: 'GET', url });
    expect(read.json()).toMatchObject({ version: 2, name: winner.json<{ name: string }>().name });
  });
});
