import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { createContext, type Context } from '../context.ts';
import { tableCounts } from '../db/backup.ts';
import type { DatabaseTarget } from '../db/connect.ts';
import type { Database, Row } from '../db/database.ts';
import { PGliteDialect } from '../db/pglite-dialect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { buildApp } from '../http/app.ts';
import { aboutPatient } from '../modules/audit/audit.repository.ts';
import { insertToken, insertUser } from '../modules/auth/auth.repository.ts';
import { newApiTokenSecret, secretHash } from '../modules/auth/authenticator.service.ts';
import type { Role } from '../modules/auth/policy.domain.ts';
import { fixedClock, type Clock } from '../shared/clock.ts';
import { parseConfig } from '../shared/config.ts';

/** The engines every database test runs on: embedded always, server Postgres when TEST_DATABASE_URL is set. */
export function testEngines(): {
  name: string;
  target: () => Promise<DatabaseTarget & { cleanup?: () => Promise<void> }>;
}[] {
  const engines: ReturnType<typeof testEngines> = [
    {
      name: 'pglite',
      target: async () => ({
        engine: 'pglite',
        dataDir: 'memory',
        template: await migratedTemplate(),
      }),
    },
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    engines.push({
      name: 'postgres',
      target: async () => {
        // Each test context gets a schema of its own, dropped afterwards.
        const schema = `test_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`create schema ${schema}`);
        await admin.end();
        return {
          engine: 'postgres',
          url,
          schema,
          cleanup: async () => {
            const client = new pg.Client({ connectionString: url });
            await client.connect();
            await client.query(`drop schema ${schema} cascade`);
            await client.end();
          },
        };
      },
    });
  }
  return engines;
}

let template: Promise<Blob> | undefined;

/**
 * An embedded database with every migration applied, dumped once per test worker: loading it
 * is several times faster than creating and migrating a database for each suite.
 */
function migratedTemplate(): Promise<Blob> {
  template ??= (async () => {
    const pglite = await PGlite.create('memory://');
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    await migrateToLatest(db);
    const dump = await pglite.dumpDataDir('none');
    await db.destroy();
    return dump;
  })();
  return template;
}

/** A clock a test can move forward. */
export function movableClock(start: string = testNow): Clock & { advance(minutes: number): void } {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance(minutes) {
      now += minutes * 60_000;
    },
  };
}

export const testNow = '2025-03-03T17:00:00.000Z';

/** A migrated context on the given engine, with a fixed clock. */
export async function createTestContext(
  engine: ReturnType<typeof testEngines>[number],
  clock: Clock = fixedClock(testNow),
  env: Record<string, string> = {},
): Promise<Context & { dispose(): Promise<void> }> {
  const target = await engine.target();
  let context: Context | undefined;
  try {
    context = await createContext(parseConfig({ LOG_LEVEL: 'silent', ...env }), {
      database: target,
      clock,
    });
    await migrateToLatest(context.db);
  } catch (error) {
    // Leave nothing behind: a half-made schema would confuse the next run.
    await context?.close();
    await target.cleanup?.();
    throw error;
  }
  const ready = context;
  return {
    ...ready,
    async dispose() {
      await ready.close();
      await target.cleanup?.();
    },
  };
}

/**
 * A user of the given role with an API token; returns the Authorization header value. Tokens skip
 * argon2 and CSRF, which keeps suites fast; sign-in itself is tested in the auth suites.
 */
export async function bearerFor(
  context: Context,
  role: Role,
  options: { clinicianId?: string } = {},
): Promise<string> {
  const userId = randomUUID();
  const secret = newApiTokenSecret();
  await insertUser(context.db, {
    id: userId,
    email: `${role}-${userId}@test.continuity`,
    name: `Test ${role}`,
    role,
    clinician_id: options.clinicianId ?? null,
    password_hash: null,
  });
  await insertToken(context.db, {
    id: randomUUID(),
    user_id: userId,
    name: 'test',
    token_hash: secretHash(secret),
  });
  return `Bearer ${secret}`;
}

/**
 * The app as one caller sees it: every inject carries `authorization` unless the request sets
 * its own (an empty string sends none, to act as nobody).
 */
export function actingAs(app: FastifyInstance, authorization: string): FastifyInstance {
  const inject = (options: InjectOptions | string) => {
    const request = typeof options === 'string' ? { url: options } : options;
    const headers: Record<string, string> = {
      authorization,
      ...(request.headers as Record<string, string>),
    };
    if (headers.authorization === '') delete headers.authorization;
    return app.inject({ ...request, headers });
  };
  return new Proxy(app, {
    get: (target, property, receiver) =>
      property === 'inject' ? inject : (Reflect.get(target, property, receiver) as unknown),
  });
}

/**
 * Declares a suite once per engine. `use()` gives the suite's context and app, built before
 * its tests and torn down after; the app acts as an administrator (see actingAs and bearerFor
 * for other callers).
 */
export function describeEachEngine(
  title: string,
  suite: (use: () => { context: Context; app: FastifyInstance; raw: FastifyInstance }) => void,
): void {
  for (const engine of testEngines()) {
    describe(`${title} [${engine.name}]`, () => {
      let state:
        | {
            context: Context & { dispose(): Promise<void> };
            app: FastifyInstance;
            raw: FastifyInstance;
          }
        | undefined;
      beforeAll(async () => {
        const context = await createTestContext(engine);
        const raw = await buildApp(context, { logger: false });
        await raw.ready();
        state = { context, raw, app: actingAs(raw, await bearerFor(context, 'admin')) };
      });
      afterAll(async () => {
        await state?.raw.close();
        await state?.context.dispose();
      });
      suite(() => {
        if (!state) throw new Error('The suite context is not ready.');
        return state;
      });
    });
  }
}

/** Row counts of every table: a cheap check that a refused request wrote nothing. */
export function rowCounts(context: Context): Promise<Record<string, number>> {
  return tableCounts(context.db);
}

/** How the audit trail names the holder of an Authorization header made by bearerFor. */
export async function labelOf(context: Context, authorization: string): Promise<string> {
  const bearer = authorization.replace(/^Bearer\s+/i, '');
  return (await context.authenticator.authenticate({ bearer, ip: '127.0.0.1' })).actor.label;
}

/** The audit events that meet every given criterion, in chain order: tests read the trail directly. */
export async function auditEvents(
  context: Context,
  where: { patientId?: string; actor?: string; action?: string; outcome?: 'allowed' | 'denied' },
): Promise<Row<'audit_event'>[]> {
  let query = context.db.selectFrom('audit_event').selectAll().orderBy('seq');
  if (where.patientId !== undefined) query = query.where(aboutPatient(where.patientId));
  if (where.actor !== undefined) query = query.where('actor', '=', where.actor);
  if (where.action !== undefined) query = query.where('action', '=', where.action);
  if (where.outcome !== undefined) query = query.where('outcome', '=', where.outcome);
  return query.execute();
}

/**
 * Every item of a cursor-paged list, following nextCursor from `url` (which may carry a query of
 * its own). Fails loudly on any answer but 200.
 */
export async function collectPages<T>(app: FastifyInstance, url: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = url.includes('?') ? '&' : '?';
    const pageUrl: string = cursor === null ? url : `${url}${separator}cursor=${cursor}`;
    const response = await app.inject({ method: 'GET', url: pageUrl });
    if (response.statusCode !== 200)
      throw new Error(`GET ${pageUrl} answered ${response.statusCode}: ${response.body}`);
    const page: { items: T[]; nextCursor: string | null } = response.json();
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}
