import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from './connect.ts';
import { migrateToLatest } from './migrate.ts';
import { testEngines } from '../test/harness.ts';

describe('the embedded database on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'continuity-db-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps data across a close and reopen, and refuses a second opener', async () => {
    const first = await connectDatabase({ engine: 'pglite', dataDir: dir });
    await migrateToLatest(first.db);
    await sql`insert into service_area (id, code, name, lat, lon, members)
      values ('0190f0a0-0000-7000-8000-000000000001', 'KEEP', 'Kept', 34, -118, 1)`.execute(
      first.db,
    );
    await expect(connectDatabase({ engine: 'pglite', dataDir: dir })).rejects.toThrow(
      /in use by process/,
    );
    await first.close();

    const second = await connectDatabase({ engine: 'pglite', dataDir: dir });
    const rows = await second.db.selectFrom('service_area').select('code').execute();
    await second.close();
    expect(rows).toEqual([{ code: 'KEEP' }]);
  });
});

describe.each(testEngines())('type parsing [$name]', (engine) => {
  it('reads dates as text, counts and numerics as numbers, instants as Date', async () => {
    const target = await engine.target();
    const handle = await connectDatabase(target);
    try {
      const { rows } = await sql<{ d: unknown; n: unknown; x: unknown; t: unknown; a: unknown }>`
        select '2025-03-09'::date as d, count(*) as n, 1.25::numeric as x,
               '2025-03-09T10:30:00Z'::timestamptz as t, array['a','b']::text[] as a`.execute(
        handle.db,
      );
      expect(rows[0]).toEqual({
        d: '2025-03-09',
        n: 1,
        x: 1.25,
        t: new Date('2025-03-09T10:30:00Z'),
        a: ['a', 'b'],
      });
    } finally {
      await handle.close();
      await target.cleanup?.();
    }
  });
});
