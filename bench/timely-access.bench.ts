/*
 * Timely-access rates over a year of the region dataset, on server PostgreSQL: seeds the region
 * into a fresh schema, then times the rates query for the past year with each grouping (after one
 * warm-up that also writes the business-day table), and prints the plan's most expensive steps.
 *
 *   npx tsx bench/timely-access.bench.ts [--scale region|demo] [--seed 1]
 *                                        [--url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * The schema is dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { createContext } from '../src/context.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { cliActor } from '../src/modules/auth/policy.domain.ts';
import type { Scale } from '../src/modules/seed/scale.domain.ts';
import { groupings, ratesQuery } from '../src/modules/timely-access/timely-access.repository.ts';
import { parseConfig } from '../src/shared/config.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'region' },
    seed: { type: 'string', default: '1' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const config = parseConfig({ LOG_LEVEL: 'silent' });
const schema = `bench_access_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
await admin.query(`create schema ${schema}`);
const out = (line: string) => process.stdout.write(`${line}\n`);

try {
  const context = await createContext(config, {
    database: { engine: 'postgres', url: values.url, schema },
  });
  try {
    await migrateToLatest(context.db);
    const services = context.servicesFor(cliActor('bench'));
    out(`Timely-access rates: scale ${values.scale}, seed ${values.seed}, Node ${process.version}`);
    await services.seed.seed({ scale: values.scale as Scale, seed: Number(values.seed) });
    await sql`analyze`.execute(context.db);
    const to = new Date();
    const from = new Date(to.getTime() - 365 * 86_400_000);
    const count = await context.db
      .selectFrom('appointment')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('requested_at', '>=', from)
      .executeTakeFirstOrThrow();
    out(`${count.n.toLocaleString('en-US')} appointments requested in the past year`);
    const warm = performance.now();
    await services.timelyAccess.rates({ from, to }, 'standard');
    out(
      `warm-up (writes the business-day table)  ${((performance.now() - warm) / 1000).toFixed(2)} s`,
    );
    for (const groupBy of groupings) {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        rows = (await services.timelyAccess.rates({ from, to }, groupBy)).length;
        times.push(performance.now() - started);
      }
      const best = Math.min(...times) / 1000;
      out(`groupBy ${groupBy.padEnd(13)} ${rows} rows, best of 3: ${best.toFixed(2)} s`);
    }
    for (const status of ['overdue', 'at_risk'] as const) {
      const started = performance.now();
      const page = await services.timelyAccess.careGaps({ status }, { limit: 50 });
      out(
        `care gaps, first page of ${status.padEnd(8)} ${page.items.length} patients in ${((performance.now() - started) / 1000).toFixed(2)} s`,
      );
    }
    const { rows: plan } = await sql<{ 'QUERY PLAN': string }>`explain (analyze, costs off)
      ${ratesQuery({ from, to }, 'standard', new Date(), config.TZ_ORG)}`.execute(context.db);
    out('plan (explain analyze, groupBy standard):');
    for (const row of plan) out(`  ${row['QUERY PLAN']}`);
  } finally {
    await context.close();
  }
} finally {
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
}
