/*
 * What the region benchmarks share: a schema of its own on server PostgreSQL, migrated and seeded
 * (or reused when kept), and the region-wide strike of every second active clinician.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createContext, type Context, type Services } from '../src/context.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { cliActor } from '../src/modules/auth/policy.domain.ts';
import type { Disruption } from '../src/modules/disruptions/disruptions.domain.ts';
import type { Scale } from '../src/modules/seed/scale.domain.ts';
import { parseConfig } from '../src/shared/config.ts';

export interface RegionOptions {
  /** The server, e.g. postgres://postgres@127.0.0.1:5432/postgres. */
  url: string;
  scale: Scale;
  seed: number;
  /** The schema's name; a fresh random one (`prefix_xxxxxxxx`) when not given. */
  schema?: string | undefined;
  prefix: string;
  /** Keep the schema afterwards (and reuse it, seeded, when it exists already). */
  keep?: boolean;
  out: (line: string) => void;
}

export interface Region {
  schema: string;
  context: Context;
  services: Services;
  /** A connection of its own to the server, for the benchmark's own queries. */
  admin: pg.Client;
}

/** Runs `work` on a seeded region in a schema of its own, dropped afterwards unless kept. */
export async function withRegion<T>(
  options: RegionOptions,
  work: (region: Region) => Promise<T>,
): Promise<T> {
  const schema = options.schema ?? `${options.prefix}_${randomBytes(4).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error('schema: lower-case letters, digits, _');
  const admin = new pg.Client({ connectionString: options.url });
  await admin.connect();
  try {
    await admin.query(`create schema if not exists ${schema}`);
    const context = await createContext(parseConfig({ LOG_LEVEL: 'silent' }), {
      database: { engine: 'postgres', url: options.url, schema },
    });
    try {
      await migrateToLatest(context.db);
      const services = context.servicesFor(cliActor('bench'));
      if ((await services.stats.counts()).service_area === 0) {
        const started = performance.now();
        await services.seed.seed({ scale: options.scale, seed: options.seed });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        options.out(`seeded ${options.scale} in ${seconds} s (setup)`);
      } else options.out(`schema ${schema} is seeded already: reusing it`);
      return await work({ schema, context, services, admin });
    } finally {
      await context.close();
    }
  } finally {
    if (!options.keep) await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

/** A strike of every second active clinician of the region, from `startsOn` (not applied). */
export async function regionStrike(
  { context, services }: Region,
  startsOn: string,
  endsOn: string | null,
): Promise<{ strike: Disruption; striking: number; active: number }> {
  const clinicians = await context.db
    .selectFrom('clinician')
    .select('id')
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
  const striking = clinicians.filter((_, i) => i % 2 === 0).map((c) => c.id);
  const strike = await services.disruptions.create({
    kind: 'strike',
    title: 'Region-wide strike of half the clinicians',
    scope: { clinicianIds: striking, locationIds: [], groupIds: [], serviceAreaIds: [] },
    startsOn,
    endsOn,
  });
  return { strike, striking: striking.length, active: clinicians.length };
}
