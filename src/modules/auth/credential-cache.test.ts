import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { buildApp } from '../../http/app.ts';
import {
  bearerFor,
  createTestContext,
  describeEachEngine,
  testEngines,
} from '../../test/harness.ts';
import { secretHash } from './authenticator.service.ts';
import { createCredentialCache } from './credential-cache.ts';

const hashOf = (authorization: string) => secretHash(authorization.replace(/^Bearer /, ''));

/** Revokes a token with the trigger that announces it switched off: no process is told. */
async function revokeUnannounced(db: Context['db'], authorization: string): Promise<void> {
  await sql`alter table api_token disable trigger api_token_credentials_changed`.execute(db);
  try {
    await sql`update api_token set revoked_at = now() where token_hash = ${hashOf(authorization)}`.execute(
      db,
    );
  } finally {
    await sql`alter table api_token enable trigger api_token_credentials_changed`.execute(db);
  }
}

/** Asks until `check` holds, for up to five seconds (a notification crosses a connection). */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  const until = Date.now() + 5_000;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe('the credential cache', () => {
  it('serves nothing while not listening, and forgets on every change', () => {
    const cache = createCredentialCache<string>();
    cache.set('a', 'row', cache.generation());
    expect(cache.get('a')).toBeUndefined();
    cache.listening(true);
    cache.set('a', 'row', cache.generation());
    expect(cache.get('a')).toBe('row');
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 'row', cache.generation());
    cache.listening(false);
    cache.listening(true);
    expect(cache.get('a')).toBeUndefined();
  });

  it('does not keep what was looked up before a change, nor an entry past its age', () => {
    let now = 0;
    const cache = createCredentialCache<string>({ maxAgeMs: 1_000, now: () => now });
    cache.listening(true);
    const before = cache.generation();
    cache.clear();
    cache.set('a', 'stale', before);
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 'fresh', cache.generation());
    now = 1_001;
    expect(cache.get('a')).toBeUndefined();
  });

  it('holds at most maxEntries', () => {
    const cache = createCredentialCache<number>({ maxEntries: 2 });
    cache.listening(true);
    for (const key of ['a', 'b', 'c']) cache.set(key, 1, cache.generation());
    expect(['a', 'b', 'c'].filter((key) => cache.get(key) !== undefined)).toEqual(['c']);
  });
});

describeEachEngine('API tokens looked up once, forgotten on a change', (use) => {
  const me = async (authorization: string) =>
    (await use().raw.inject({ url: '/api/v1/auth/me', headers: { authorization } })).statusCode;

  it('refuses a token revoked through the API at once', async () => {
    const token = await bearerFor(use().context, 'coordinator');
    expect(await me(token)).toBe(200);
    const { id } = await use()
      .context.db.selectFrom('api_token')
      .select('id')
      .where('token_hash', '=', hashOf(token))
      .executeTakeFirstOrThrow();
    const revoke = await use().app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}` });
    expect(revoke.statusCode).toBe(200);
    expect(await me(token)).toBe(401);
  });

  it('serves a token from the cache, and forgets it when the database announces a change', async () => {
    const { db } = use().context;
    const token = await bearerFor(use().context, 'coordinator');
    expect(await me(token)).toBe(200);
    // Revoked behind the trigger's back: the cached lookup still answers, which shows it is used.
    await revokeUnannounced(db, token);
    expect(await me(token)).toBe(200);
    await sql`select pg_notify('continuity_credentials', '')`.execute(db);
    expect(await eventually(async () => (await me(token)) === 401)).toBe(true);
  });

  it('refuses a token changed in the database by anyone else, once told', async () => {
    const { db } = use().context;
    const token = await bearerFor(use().context, 'coordinator');
    expect(await me(token)).toBe(200);
    await sql`update app_user set active = false
                where id = (select user_id from api_token where token_hash = ${hashOf(token)})`.execute(
      db,
    );
    expect(await eventually(async () => (await me(token)) === 401)).toBe(true);
  });
});

// Only a server's listener has a connection to lose; the embedded engine's is in-process.
describe.each(testEngines().filter((engine) => engine.name === 'postgres'))(
  'API tokens while the listener is lost [$name]',
  (engine) => {
    let context: Context & { dispose(): Promise<void> };
    let app: FastifyInstance;
    beforeAll(async () => {
      context = await createTestContext(engine);
      app = await buildApp(context, { logger: false });
      await app.ready();
    });
    afterAll(async () => {
      await app.close();
      await context.dispose();
    });
    const me = async (authorization: string) =>
      (await app.inject({ url: '/api/v1/auth/me', headers: { authorization } })).statusCode;

    it('serves nothing from the cache while it cannot hear the database', async () => {
      const token = await bearerFor(context, 'coordinator');
      expect(await me(token)).toBe(200);
      await revokeUnannounced(context.db, token);
      expect(await me(token)).toBe(200);
      // Every listener on the channel loses its connection (they listen again a second later).
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
                  where query ilike 'listen %continuity_credentials%'`.execute(context.db);
      expect(await eventually(async () => (await me(token)) === 401)).toBe(true);
    });
  },
);
