import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildLocation, buildPatient, buildServiceArea, create } from '../test/factories.ts';
import { actingAs, bearerFor, createTestContext, testEngines } from '../test/harness.ts';
import type { Context } from '../context.ts';
import { buildApp } from './app.ts';

describe('logs carry ids, never patient data', () => {
  const lines: string[] = [];
  let app: FastifyInstance;
  let raw: FastifyInstance;
  let dispose: () => Promise<void>;
  let context: Context & { dispose(): Promise<void> };

  beforeAll(async () => {
    const [embedded] = testEngines();
    if (!embedded) throw new Error('no engine');
    context = await createTestContext(embedded);
    raw = await buildApp(context, {
      logger: { level: 'trace', stream: { write: (line) => lines.push(line) } },
    });
    await raw.ready();
    app = actingAs(raw, await bearerFor(context, 'admin'));
    dispose = async () => {
      await raw.close();
      await context.dispose();
    };
  });
  afterAll(() => dispose());

  it('logs sign-ins and refusals without passwords, session ids or tokens', async () => {
    const password = 'a passphrase nobody should log';
    const bearer = await bearerFor(context, 'coordinator');
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'logged@example.org', name: 'Logged', role: 'coordinator', password },
    });
    expect(created.statusCode).toBe(201);
    const wrong = await raw.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'logged@example.org', password: 'not the passphrase' },
    });
    expect(wrong.statusCode).toBe(401);
    const login = await raw.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'logged@example.org', password },
    });
    expect(login.statusCode).toBe(200);
    const session = login.cookies.find((cookie) => cookie.name === 'continuity_session')?.value;
    const { csrfToken } = login.json<{ csrfToken: string }>();
    expect((await actingAs(raw, bearer).inject('/api/v1/patients')).statusCode).toBe(200);
    expect((await actingAs(raw, 'Bearer cty_forged').inject('/api/v1/patients')).statusCode).toBe(
      401,
    );

    const log = lines.join('');
    expect(log).toContain('/api/v1/auth/login');
    for (const secret of [
      password,
      'not the passphrase',
      session,
      csrfToken,
      bearer.slice(7),
      'cty_forged',
    ]) {
      expect(secret).toBeTruthy();
      expect(log).not.toContain(secret);
    }
  });

  it('logs requests, refusals and reads without names, MRNs or birth dates', async () => {
    const area = await create(app, '/service-areas', buildServiceArea());
    await create(app, '/locations', buildLocation(area.id));
    const patient = buildPatient(area.id, {
      name: 'Marisol Quintanilla-Reyes',
      mrn: 'MRN-SECRET-77',
      birthDate: '1991-07-23',
    });
    const created = await create(app, '/patients', patient);
    const duplicate = await app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      payload: patient,
    });
    expect(duplicate.statusCode).toBe(409);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      payload: { ...patient, mrn: 'MRN-OTHER-78', birthDate: 'Marisol Quintanilla-Reyes' },
    });
    expect(bad.statusCode).toBe(400);
    expect((await app.inject(`/api/v1/patients/${created.id}`)).statusCode).toBe(200);

    const log = lines.join('');
    // The log is not empty: requests and the patient id are there.
    expect(log).toContain('/api/v1/patients');
    for (const secret of [
      'Marisol',
      'Quintanilla',
      'MRN-SECRET-77',
      'MRN-OTHER-78',
      '1991-07-23',
    ]) {
      expect(log).not.toContain(secret);
      expect(duplicate.body + bad.body).not.toContain(secret);
    }
  });
});
