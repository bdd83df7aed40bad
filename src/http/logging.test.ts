import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildLocation, buildPatient, buildServiceArea, create } from '../test/factories.ts';
import { actingAs, bearerFor, createTestContext, testEngines } from '../test/harness.ts';
import { buildApp } from './app.ts';

describe('logs carry ids, never patient data', () => {
  const lines: string[] = [];
  let app: FastifyInstance;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const [embedded] = testEngines();
    if (!embedded) throw new Error('no engine');
    const context = await createTestContext(embedded);
    const raw = await buildApp(context, {
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
