import { expect, it } from 'vitest';
import { buildServiceArea, create } from '../../test/factories.ts';
import { describeEachEngine, rowCounts } from '../../test/harness.ts';

describeEachEngine('service areas API', (use) => {
  it('creates, reads, updates and lists', async () => {
    const { app } = use();
    const created = await create(
      app,
      '/service-areas',
      buildServiceArea({ name: 'Woodland Hills' }),
    );
    expect(created).toMatchObject({ name: 'Woodland Hills', version: 1 });

    const read = await app.inject({ method: 'GET', url: `/api/v1/service-areas/${created.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: created.id, members: 250_000 });

    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/service-areas/${created.id}`,
      payload: { version: 1, members: 260_000 },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ members: 260_000, version: 2 });
  });

  it('pages through a list with a cursor, without repeats', async () => {
    const { app } = use();
    for (let i = 0; i < 5; i++) await create(app, '/service-areas', buildServiceArea());
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/service-areas?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await app.inject({ method: 'GET', url })).json<{
        items: { id: string }[];
        nextCursor: string | null;
      }>();
      for (const item of page.items) {
        expect(seen.has(item.id)).toBe(false);
        seen.add(item.id);
      }
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(seen.size).toBeGreaterThanOrEqual(5);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('filters by code', async () => {
    const { app } = use();
    const area = await create(app, '/service-areas', buildServiceArea({ code: 'FILTERME' }));
    const page = (
      await app.inject({ method: 'GET', url: '/api/v1/service-areas?code=FILTERME' })
    ).json<{
      items: { id: string }[];
    }>();
    expect(page.items.map((item) => item.id)).toEqual([area.id]);
  });

  it('refuses bad input with 400 naming the field, and writes nothing', async () => {
    const { app, context } = use();
    const before = await rowCounts(context);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/service-areas',
      payload: buildServiceArea({ lat: 123 }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(JSON.stringify(response.json())).toContain('body.lat');
    expect(await rowCounts(context)).toEqual(before);
  });

  it('refuses unknown fields, a bad cursor, malformed JSON and an unknown route', async () => {
    const { app } = use();
    const extra = await app.inject({
      method: 'POST',
      url: '/api/v1/service-areas',
      payload: { ...buildServiceArea(), admin: true },
    });
    expect(extra.statusCode).toBe(400);
    const cursor = await app.inject({ method: 'GET', url: '/api/v1/service-areas?cursor=bogus' });
    expect(cursor.json()).toMatchObject({ error: { code: 'BAD_CURSOR' } });
    const json = await app.inject({
      method: 'POST',
      url: '/api/v1/service-areas',
      headers: { 'content-type': 'application/json' },
      payload: '{"code":',
    });
    expect(json.statusCode).toBe(400);
    expect(json.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const route = await app.inject({ method: 'GET', url: '/api/v1/nowhere' });
    expect(route.statusCode).toBe(404);
    expect(route.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const { app } = use();
    const unknown = await app.inject({
      method: 'GET',
      url: '/api/v1/service-areas/0190f0a0-0000-7000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const malformed = await app.inject({ method: 'GET', url: '/api/v1/service-areas/42' });
    expect(malformed.statusCode).toBe(400);
  });

  it('answers 409 DUPLICATE for a taken code', async () => {
    const { app } = use();
    await create(app, '/service-areas', buildServiceArea({ code: 'TWICE' }));
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/service-areas',
      payload: buildServiceArea({ code: 'TWICE' }),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      error: { code: 'DUPLICATE', details: { constraint: 'service_area_code_key' } },
    });
  });

  it('answers 409 VERSION_CONFLICT to the second of two updates from the same version', async () => {
    const { app } = use();
    const area = await create(app, '/service-areas', buildServiceArea());
    const url = `/api/v1/service-areas/${area.id}`;
    const [first, second] = await Promise.all([
      app.inject({ method: 'PATCH', url, payload: { version: 1, members: 1 } }),
      app.inject({ method: 'PATCH', url, payload: { version: 1, members: 2 } }),
    ]);
    const statuses = [first.statusCode, second.statusCode].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = first.statusCode === 409 ? first : second;
    expect(loser.json()).toMatchObject({
      error: { code: 'VERSION_CONFLICT', details: { currentVersion: 2 } },
    });
  });
});
