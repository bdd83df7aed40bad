import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { actingAs, bearerFor, createTestContext, testEngines } from '../test/harness.ts';
import { buildApp } from './app.ts';

describe('the HTTP skeleton', () => {
  let app: FastifyInstance;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const [embedded] = testEngines();
    if (!embedded) throw new Error('no engine');
    const context = await createTestContext(embedded);
    const raw = await buildApp(context, { logger: false });
    // A route that fails the way a bug would, to see what a client is told. It stays outside
    // /api/, where every route needs an entry in the policy table; the error handler is the same.
    raw.get('/test-failure', () => {
      throw new Error('secret internal detail: patient Jane Roe');
    });
    await raw.ready();
    app = actingAs(raw, await bearerFor(context, 'admin'));
    dispose = async () => {
      await raw.close();
      await context.dispose();
    };
  });
  afterAll(() => dispose());

  it('answers /healthz and /readyz', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: 'pglite' });
  });

  it('serves the OpenAPI description at /docs', async () => {
    const page = await app.inject('/docs');
    expect([200, 302]).toContain(page.statusCode);
    const spec = (await app.inject('/docs/json')).json<{
      openapi: string;
      paths: Record<string, unknown>;
    }>();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toContain('/api/v1/service-areas/{id}');
  });

  it('hides the internals of a 500 and gives the request id', async () => {
    const response = await app.inject('/test-failure');
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: {
        code: 'INTERNAL',
        message: 'Internal error. The request id is in the x-request-id header.',
      },
    });
    expect(response.body).not.toContain('Jane Roe');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets security headers', async () => {
    const response = await app.inject('/healthz');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});
