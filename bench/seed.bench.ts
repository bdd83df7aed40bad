/*
 * Seeds a synthetic region into a fresh embedded database (PGlite, in a temporary folder) and into
 * a fresh schema of a PostgreSQL server, and prints the time, the rows per second and the size.
 *
 *   npx tsx bench/seed.bench.ts [--scale region|demo] [--seed 1] [--engines pglite,postgres]
 *                               [--url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * The schema and the folder are removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { connectDatabase, type DatabaseHandle, type DatabaseTarget } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { generateRegion } from '../src/modules/seed/region.domain.ts';
import type { Scale } from '../src/modules/seed/scale.domain.ts';
import { createAccess } from '../src/modules/audit/access.service.ts';
import { createAuditWriter } from '../src/modules/audit/audit-writer.ts';
import { cliActor } from '../src/modules/auth/policy.domain.ts';
import { createSeedService, type SeedResult } from '../src/modules/seed/seed.service.ts';
import { systemClock } from '../src/shared/clock.ts';
import { parseConfig } from '../src/shared/config.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'region' },
    seed: { type: 'string', default: '1' },
    engines: { type: 'string', default: 'pglite,postgres' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const scale = values.scale as Scale;
const seed = Number(values.seed);
const config = parseConfig({ LOG_LEVEL: 'silent' });

async function folderBytes(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    total += entry.isDirectory() ? await folderBytes(full) : (await stat(full)).size;
  }
  return total;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function seedInto(
  target: DatabaseTarget,
): Promise<{ result: SeedResult; db: DatabaseHandle }> {
  const handle = await connectDatabase(target);
  await migrateToLatest(handle.db);
  const access = createAccess(createAuditWriter(handle.db), systemClock, cliActor('bench'));
  const service = createSeedService({ db: handle.db, clock: systemClock, config, access });
  let shown = 0;
  const result = await service.seed({
    scale,
    seed,
    onProgress: ({ done, total, table }) => {
      if (done - shown >= 100_000 || done === total) {
        shown = done;
        process.stderr.write(
          `  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${table})\n`,
        );
      }
    },
  });
  return { result, db: handle };
}

function report(engine: string, result: SeedResult, size: string): void {
  const rows = Object.values(result.counts).reduce((a, b) => a + b, 0);
  const seconds = result.elapsedMs / 1000;
  process.stdout.write(
    `${engine.padEnd(9)} ${rows.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s = ` +
      `${Math.round(rows / seconds).toLocaleString('en-US')} rows/s; ${size}\n`,
  );
}

process.stdout.write(`Seed benchmark: scale ${scale}, seed ${seed}, Node ${process.version}\n`);
const t0 = performance.now();
const region = generateRegion({ scale, seed, now: new Date(), timeZone: config.TZ_ORG });
let generated = 0;
for (const batch of region.batches()) generated += batch.rows.length;
process.stdout.write(
  `generate  ${generated.toLocaleString('en-US')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (pure, no database)\n`,
);
for (const [table, n] of Object.entries(region.counts))
  process.stdout.write(`  ${table.padEnd(18)} ${n.toLocaleString('en-US').padStart(9)}\n`);

const engines = values.engines.split(',').filter(Boolean);

if (engines.includes('pglite')) {
  const dir = await mkdtemp(join(tmpdir(), 'continuity-seed-bench-'));
  try {
    const { result, db } = await seedInto({ engine: 'pglite', dataDir: dir });
    await db.close();
    report('pglite', result, `folder ${mb(await folderBytes(dir))}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (engines.includes('postgres')) {
  const url = values.url;
  const schema = `bench_seed_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  try {
    const { result, db } = await seedInto({ engine: 'postgres', url, schema });
    const { rows } = await sql<{ schema_bytes: number; database_bytes: number }>`
      select (select sum(pg_total_relation_size(c.oid)) from pg_class c
                join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = ${schema} and c.relkind = 'r')::bigint as schema_bytes,
             pg_database_size(current_database())::bigint as database_bytes`.execute(db.db);
    await db.close();
    const sizes = rows[0];
    report(
      'postgres',
      result,
      `schema ${mb(sizes?.schema_bytes ?? 0)} (tables + indexes), database ${mb(sizes?.database_bytes ?? 0)}`,
    );
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}
