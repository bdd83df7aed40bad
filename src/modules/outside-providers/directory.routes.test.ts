import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { buildOutsideProvider, create } from '../../test/factories.ts';
import { auditEvents, describeEachEngine, rowCounts } from '../../test/harness.ts';
import { directoryLimits, type ImportReport } from './directory.domain.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

function importFile(app: FastifyInstance, format: 'csv' | 'hsds', text: string) {
  return app.inject({
    method: 'POST',
    url: `/api/v1/outside-providers/import?format=${format}`,
    headers: { 'content-type': format === 'csv' ? 'text/csv' : 'application/json' },
    payload: text,
  });
}

async function imported(app: FastifyInstance, format: 'csv' | 'hsds', text: string) {
  const response = await importFile(app, format, text);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<ImportReport>();
}

async function exported(app: FastifyInstance, format: 'csv' | 'hsds') {
  const response = await app.inject({
    method: 'GET',
    url: `/api/v1/outside-providers/export?format=${format}`,
  });
  expect(response.statusCode).toBe(200);
  return response;
}

async function providerByName(app: FastifyInstance, name: string) {
  const page = (await app.inject('/api/v1/outside-providers?limit=500')).json<{
    items: { name: string }[];
  }>();
  return page.items.find((item) => item.name === name);
}

describeEachEngine('outside-provider directory import and export', (use) => {
  it('imports a CSV, then finds nothing to change in the same file', async () => {
    const { app, context } = use();
    const first = await imported(app, 'csv', fixture('directory.csv'));
    expect(first).toMatchObject({ rows: 3, imported: 3, updated: 0, unchanged: 0, rejected: [] });
    expect(first.committed).toBe(true);
    expect(await providerByName(app, 'Renata Okafor, LMFT, PMH-C')).toMatchObject({
      organization: 'Valley Perinatal Therapy',
      npi: '1912345670',
      specialties: ['birth_trauma', 'perinatal_mood_anxiety'],
      languages: ['en', 'es'],
      certifications: ['pmh_c'],
      modality: 'both',
      lat: 34.1683,
      lon: -118.6059,
      accommodations: ['baby_friendly', 'evening'],
      weeklyCapacity: 4,
      accepting: true,
      capacityConfirmedAt: '2025-02-24T17:00:00.000Z',
    });
    expect(await providerByName(app, 'Harbor Eating Disorder Clinic')).toMatchObject({
      npi: null,
      accepting: false,
      capacityConfirmedAt: '2025-01-10T17:30:00.000Z',
    });

    const before = await rowCounts(context);
    const again = await imported(app, 'csv', fixture('directory.csv'));
    expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 3, committed: true });
    expect({ ...(await rowCounts(context)), audit_event: 0 }).toEqual({
      ...before,
      audit_event: 0,
    });
  });

  it('updates only what changed, matching by NPI and else by name and organization', async () => {
    const { app } = use();
    const csv = fixture('directory.csv')
      .replace('Renata Okafor, LMFT, PMH-C', 'Renata Okafor-Lindqvist, LMFT, PMH-C')
      .replace(
        'in_person,33.77,-118.19,wheelchair,0,false',
        'in_person,33.77,-118.19,wheelchair,5,true',
      );
    const report = await imported(app, 'csv', csv);
    expect(report).toMatchObject({ imported: 0, updated: 2, unchanged: 1 });
    expect(await providerByName(app, 'Renata Okafor-Lindqvist, LMFT, PMH-C')).toMatchObject({
      npi: '1912345670',
      version: 2,
    });
    expect(await providerByName(app, 'Harbor Eating Disorder Clinic')).toMatchObject({
      weeklyCapacity: 5,
      accepting: true,
    });
  });

  it('rejects bad CSV rows one by one, each with every problem, and writes nothing', async () => {
    const { app, context } = use();
    const before = await rowCounts(context);
    const response = await importFile(app, 'csv', fixture('directory-bad.csv'));
    expect(response.statusCode).toBe(422);
    const { error } = response.json<{ error: { code: string; details: ImportReport } }>();
    expect(error.code).toBe('UNPROCESSABLE');
    expect(error.details).toMatchObject({ rows: 5, imported: 2, committed: false });
    expect(error.details.rejected.map((r) => r.row)).toEqual([3, 5, 6]);
    const [bad, duplicate, short] = error.details.rejected;
    expect(bad?.problems).toEqual([
      'name is empty',
      'npi "12345" is not 10 digits',
      expect.stringMatching(/^specialty "astrology" is not one of: perinatal_mood_anxiety, /),
      'language "english" is not an ISO 639 code such as en or es',
      'modality "carrier_pigeon" is not one of: in_person, virtual, both',
      'lat must be a number between -90 and 90',
      'accommodation "valet_parking" is not one of: baby_friendly, interpreter, evening, wheelchair',
      'weekly capacity must be a whole number from 0 to 1000',
      'accepting "maybe" is not true or false',
      'capacity_confirmed_at "last week" is not an ISO 8601 time with an offset',
    ]);
    expect(duplicate?.problems).toEqual(['npi 1555500001 is also given in row 2']);
    expect(short?.problems[0]).toBe('has 2 cells where the header has 13');
    // The refusal itself is audited (counts only); the directory is as it was.
    expect({ ...(await rowCounts(context)), audit_event: 0 }).toEqual({
      ...before,
      audit_event: 0,
    });
    expect(await providerByName(app, 'Good Row Therapist')).toBeUndefined();
  });

  it('writes nothing when the database refuses a write part-way through', async () => {
    const { app, context } = use();
    const name = 'Update Refused';
    await create(
      app,
      '/outside-providers',
      buildOutsideProvider({ name, organization: null, npi: null }),
    );
    // A trigger stands in for any failure after the first writes (a constraint, a lost connection).
    await sql`create function refuse_update() returns trigger language plpgsql as
      $$ begin raise exception 'refused'; end $$`.execute(context.db);
    await sql`create trigger refuse_update before update on outside_provider
      for each row when (new.name = ${sql.lit(name)}) execute function refuse_update()`.execute(
      context.db,
    );
    try {
      const before = await rowCounts(context);
      const header = 'name,languages,modality,lat,lon,weekly_capacity';
      // Inserts are written before updates, so the new provider is in the table when it fails.
      const response = await importFile(
        app,
        'csv',
        `${header}\nBrand New Provider,en,virtual,1,2,3\n${name},en,virtual,1,2,9\n`,
      );
      expect(response.statusCode).toBe(500);
      expect(await rowCounts(context)).toEqual(before);
      expect(await providerByName(app, 'Brand New Provider')).toBeUndefined();
    } finally {
      await sql`drop trigger refuse_update on outside_provider`.execute(context.db);
      await sql`drop function refuse_update()`.execute(context.db);
    }
  });

  it('imports HSDS 3 services, reporting the fields it has no place for', async () => {
    const { app } = use();
    const report = await imported(app, 'hsds', fixture('directory-hsds.json'));
    expect(report).toMatchObject({ rows: 2, imported: 2, committed: true });
    expect(report.unused).toEqual(
      expect.arrayContaining([
        { field: 'accessibility.description', count: 1 },
        { field: 'attribute (not a Continuity taxonomy)', count: 1 },
        { field: 'location.addresses', count: 1 },
        { field: 'organization.website', count: 1 },
        { field: 'service.phones', count: 1 },
        {
          field: 'service_capacity (a unit other than new patients per week or open seats)',
          count: 1,
        },
        { field: 'service_capacity.maximum', count: 1 },
      ]),
    );
    expect(await providerByName(app, 'Postpartum Counseling Collective')).toMatchObject({
      organization: 'Westside Family Wellness',
      npi: '1234567893',
      specialties: ['perinatal_mood_anxiety'],
      languages: ['en', 'es', 'hy'],
      certifications: ['pmh_c'],
      modality: 'both',
      lat: 34.159,
      lon: -118.501,
      accommodations: ['baby_friendly'],
      weeklyCapacity: 3,
      accepting: true,
      capacityConfirmedAt: '2025-02-27T16:30:00.000Z',
    });
    expect(await providerByName(app, 'Telehealth Grief Support')).toMatchObject({
      organization: null,
      modality: 'virtual',
      accepting: false,
      weeklyCapacity: 0,
      capacityConfirmedAt: null,
    });
    const again = await imported(app, 'hsds', fixture('directory-hsds.json'));
    expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 2 });
  });

  it('rejects bad HSDS services under their ids, with every problem, and writes nothing', async () => {
    const { app, context } = use();
    const before = await rowCounts(context);
    const response = await importFile(app, 'hsds', fixture('directory-hsds-bad.json'));
    expect(response.statusCode).toBe(422);
    const { message, details } = response.json<{
      error: { message: string; details: ImportReport };
    }>().error;
    expect(message).toMatch(/^2 of 3 services were rejected, so nothing was imported/);
    expect(details.rejected).toEqual([
      {
        row: 'aa000000-0000-4000-8000-000000000002',
        problems: [
          'name is empty',
          'status is missing: give one of active, inactive, defunct, temporarily closed',
          'language "Urdu" has no ISO 639 code',
          'no language: give at least one, such as en',
          'lat must be a number between -90 and 90',
          expect.stringMatching(/^specialty "astrology" is not one of: perinatal_mood_anxiety/),
          'no service_capacity in new patients per week or open seats',
        ],
      },
      {
        row: 'aa000000-0000-4000-8000-000000000003',
        problems: [
          'no physical or virtual location, so it is unknown how the provider sees patients',
          'weekly capacity must be a whole number from 0 to 1000',
          'service_capacity.updated "yesterday" is not an ISO 8601 time with an offset',
        ],
      },
    ]);
    expect({ ...(await rowCounts(context)), audit_event: 0 }).toEqual({
      ...before,
      audit_event: 0,
    });
  });

  it('exports CSV and HSDS that import back as the very same directory', async () => {
    const { app } = use();
    await create(
      app,
      '/outside-providers',
      buildOutsideProvider({ name: 'Round, "Trip"; Tester' }),
    );
    await create(
      app,
      '/outside-providers',
      buildOutsideProvider({
        npi: null,
        organization: null,
        modality: 'virtual',
        accommodations: ['wheelchair', 'interpreter'],
        capacityConfirmedAt: '2025-03-01T09:15:30.250-08:00',
      }),
    );
    const list = async () =>
      (await app.inject('/api/v1/outside-providers?limit=500')).json<{ items: unknown[] }>();
    const directory = await list();
    const total = directory.items.length;
    for (const format of ['csv', 'hsds'] as const) {
      const file = await exported(app, format);
      expect(file.headers['content-type']).toContain(format === 'csv' ? 'text/csv' : 'json');
      const report = await imported(app, format, file.body);
      expect(report, format).toMatchObject({
        rows: total,
        imported: 0,
        updated: 0,
        unchanged: total,
      });
      expect(await list()).toEqual(directory);
    }
    const csv = (await exported(app, 'csv')).body;
    expect(csv.split('\n')[0]).toBe(
      'name,organization,npi,specialties,languages,certifications,modality,lat,lon,accommodations,weekly_capacity,accepting,capacity_confirmed_at',
    );
    expect(csv).toContain('"Round, ""Trip""; Tester"');
    // The same directory gives the same file, ids and all.
    expect((await exported(app, 'hsds')).body).toBe((await exported(app, 'hsds')).body);
  });

  it('records one audit event for an import, with counts and no names', async () => {
    const { app, context } = use();
    await imported(app, 'csv', fixture('directory.csv'));
    const events = await auditEvents(context, { action: 'outside_provider.import' });
    const last = events.at(-1);
    expect(last?.detail).toEqual({
      format: 'csv',
      rows: 3,
      imported: 0,
      updated: expect.any(Number) as number,
      unchanged: expect.any(Number) as number,
      rejected: 0,
      committed: true,
    });
    expect(JSON.stringify(events)).not.toContain('Okafor');

    await importFile(app, 'csv', fixture('directory-bad.csv'));
    const refused = (await auditEvents(context, { action: 'outside_provider.import' })).at(-1);
    expect(refused?.detail).toMatchObject({ rows: 5, rejected: 3, committed: false });
  });

  it('refuses unreadable files and unknown formats with 400, and oversize files with 413', async () => {
    const { app, context } = use();
    const before = await rowCounts(context);
    for (const [format, text, message] of [
      [
        'csv',
        'name,languages,modality,lat,lon,weekly_capacity,specialites\n',
        /unknown columns: specialites/,
      ],
      [
        'csv',
        'name,languages\nx,en\n',
        /lacks the required columns: modality, lat, lon, weekly_capacity/,
      ],
      ['csv', 'name,languages,modality,lat,lon,weekly_capacity\n"unclosed,en\n', /cannot be read/],
      ['csv', '', /empty/],
      ['hsds', '{"contents": [', /not valid JSON/],
      ['hsds', '{"services": []}', /must be a service, an array of services, or a page/],
    ] as const) {
      const response = await importFile(app, format, text);
      expect(response.statusCode, text).toBe(400);
      expect(response.json<{ error: { message: string } }>().error.message).toMatch(message);
    }
    const unknown = await importFile(app, 'xml' as 'csv', 'name\n');
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json())).toContain('querystring.format');

    const huge = await importFile(app, 'csv', 'x'.repeat(directoryLimits.maxBytes + 1));
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(huge.json<{ error: { message: string } }>().error.message).toMatch(
      /larger than the 32 MiB an import takes/,
    );

    const header = 'name,languages,modality,lat,lon,weekly_capacity\n';
    const tooMany = await importFile(app, 'csv', header + 'a,en,virtual,1,1,1\n'.repeat(10_001));
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json()).toMatchObject({ error: { details: { rows: 10_001, maxRows: 10_000 } } });
    expect(await rowCounts(context)).toEqual(before);
  });
});
