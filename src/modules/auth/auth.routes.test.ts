import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { buildApp } from '../../http/app.ts';
import {
  actingAs,
  bearerFor,
  createTestContext,
  movableClock,
  testEngines,
} from '../../test/harness.ts';
import { cliActor } from './policy.domain.ts';

const password = 'correct horse battery staple';

describe.each(testEngines())('sign-in, sessions and tokens [$name]', (engine) => {
  const clock = movableClock();
  let context: Context & { dispose(): Promise<void> };
  let app: FastifyInstance;
  let admin: FastifyInstance;
  let n = 0;

  beforeAll(async () => {
    context = await createTestContext(engine, clock, { TRUST_PROXY: 'true' });
    app = await buildApp(context, { logger: false });
    await app.ready();
    admin = actingAs(app, await bearerFor(context, 'admin'));
  });
  afterAll(async () => {
    await app.close();
    await context.dispose();
  });

  /** A fresh coordinator account, so tests do not share lockout state. */
  async function newUser(): Promise<{ id: string; email: string }> {
    n += 1;
    const email = `coordinator${n}@example.org`;
    const user = await context
      .servicesFor(cliActor('test'))
      .users.create({ email, name: `Coordinator ${n}`, role: 'coordinator', password });
    return { id: user.id, email };
  }

  async function login(email: string, pass = password, ip = '10.0.0.1') {
    return app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: pass },
      remoteAddress: ip,
    });
  }

  function cookieOf(response: Awaited<ReturnType<typeof login>>): string {
    const cookie = response.cookies.find((c) => c.name === 'continuity_session');
    if (!cookie) throw new Error('no session cookie');
    return `continuity_session=${cookie.value}`;
  }

  it('signs in with an HttpOnly, SameSite=Strict cookie, and says who is signed in', async () => {
    const user = await newUser();
    const response = await login(user.email.toUpperCase());
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'continuity_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.secure).toBeFalsy();
    const body = response.json<{ user: { email: string; role: string }; csrfToken: string }>();
    expect(body.user).toMatchObject({ email: user.email, role: 'coordinator' });
    const me = await app.inject({
      url: '/api/v1/auth/me',
      headers: { cookie: cookieOf(response) },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { id: user.id },
      csrfToken: body.csrfToken,
      idleMinutes: 15,
    });
  });

  it('marks the cookie Secure when the request came over HTTPS', async () => {
    const user = await newUser();
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password },
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(response.cookies.find((c) => c.name === 'continuity_session')?.secure).toBe(true);
  });

  it('gives the same answer for an unknown email and a wrong password', async () => {
    const user = await newUser();
    const unknown = await login('nobody@example.org', password, '10.0.0.2');
    const wrong = await login(user.email, 'wrong password!!', '10.0.0.2');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect(unknown.json()).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
  });

  it('locks an account after five failures, and opens it again later', async () => {
    const user = await newUser();
    for (let i = 0; i < 5; i++)
      expect((await login(user.email, 'wrong password!!', '10.0.1.1')).statusCode).toBe(401);
    const locked = await login(user.email, password, '10.0.1.2');
    expect(locked.statusCode).toBe(401);
    expect(locked.json()).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
    clock.advance(16);
    expect((await login(user.email, password, '10.0.1.2')).statusCode).toBe(200);
  });

  it('refuses an address after twenty failures in a quarter of an hour', async () => {
    const user = await newUser();
    for (let i = 0; i < 20; i++)
      await login(`ghost${i}@example.org`, 'wrong password!!', '10.0.2.1');
    const limited = await login(user.email, password, '10.0.2.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect((await login(user.email, password, '10.0.2.2')).statusCode).toBe(200);
  });

  it('ends a session after 15 idle minutes, but not while it is used', async () => {
    const user = await newUser();
    const cookie = cookieOf(await login(user.email));
    const me = () => app.inject({ url: '/api/v1/auth/me', headers: { cookie } });
    clock.advance(10);
    expect((await me()).statusCode).toBe(200);
    clock.advance(10);
    expect((await me()).statusCode).toBe(200);
    clock.advance(16);
    const expired = await me();
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ error: { code: 'SESSION_EXPIRED' } });
    expect((await me()).statusCode).toBe(401);
  });

  it('ends a session at its absolute lifetime however active it is', async () => {
    const user = await newUser();
    const cookie = cookieOf(await login(user.email));
    for (let hour = 0; hour < 12 * 6; hour++) {
      clock.advance(10);
      const response = await app.inject({ url: '/api/v1/auth/me', headers: { cookie } });
      if (response.statusCode !== 200) {
        expect(hour).toBe(12 * 6 - 1);
        expect(response.json()).toMatchObject({ error: { code: 'SESSION_EXPIRED' } });
        return;
      }
    }
    throw new Error('the session outlived its absolute lifetime');
  });

  it('requires the CSRF token and our own origin for unsafe requests with a cookie', async () => {
    const user = await newUser();
    const response = await login(user.email);
    const cookie = cookieOf(response);
    const { csrfToken } = response.json<{ csrfToken: string }>();
    const payload = { code: `CS${n}`, name: 'CSRF test', lat: 34, lon: -118, members: 1 };
    const post = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/service-areas',
        payload,
        headers: { cookie, ...headers },
      });
    expect((await post({})).json()).toMatchObject({ error: { code: 'CSRF_FAILED' } });
    expect((await post({ 'x-csrf-token': 'forged' })).statusCode).toBe(403);
    expect(
      (await post({ 'x-csrf-token': csrfToken, origin: 'https://evil.example' })).statusCode,
    ).toBe(403);
    expect(
      (await post({ 'x-csrf-token': csrfToken, origin: 'http://localhost:80' })).statusCode,
    ).toBe(201);
  });

  it('logs out: the cookie no longer works', async () => {
    const user = await newUser();
    const response = await login(user.email);
    const cookie = cookieOf(response);
    const { csrfToken } = response.json<{ csrfToken: string }>();
    const out = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.statusCode).toBe(204);
    expect((await app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(
      401,
    );
  });

  it('issues API tokens that work until revoked, storing only a hash', async () => {
    const user = await newUser();
    const created = await admin.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { userId: user.id, name: 'nightly export' },
    });
    expect(created.statusCode).toBe(201);
    const { id, token } = created.json<{ id: string; token: string }>();
    const stored = await context.db
      .selectFrom('api_token')
      .select('token_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);
    const asToken = actingAs(app, `Bearer ${token}`);
    expect((await asToken.inject('/api/v1/auth/me')).json()).toMatchObject({
      user: { id: user.id },
      csrfToken: null,
    });
    expect(
      (await admin.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}` })).json(),
    ).toMatchObject({ id, revokedAt: expect.any(String) as unknown });
    const after = await asToken.inject('/api/v1/auth/me');
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('lets only an admin manage users, and refuses weak passwords', async () => {
    const coordinator = actingAs(app, await bearerFor(context, 'coordinator'));
    const payload = { email: `new${n}@example.org`, name: 'New', role: 'auditor', password };
    expect(
      (await coordinator.inject({ method: 'POST', url: '/api/v1/users', payload })).statusCode,
    ).toBe(403);
    const weak = await admin.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { ...payload, password: 'short' },
    });
    expect(weak.statusCode).toBe(400);
    expect(JSON.stringify(weak.json())).toContain('body.password');
    const made = await admin.inject({ method: 'POST', url: '/api/v1/users', payload });
    expect(made.statusCode).toBe(201);
    const row = await context.db
      .selectFrom('app_user')
      .select('password_hash')
      .where('email', '=', payload.email)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });
});
