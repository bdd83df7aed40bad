import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mayCall,
  roles,
  routePolicy,
  type Role,
  type RouteAccess,
} from '../modules/auth/policy.domain.ts';
import { actingAs, bearerFor, createTestContext, testEngines } from '../test/harness.ts';
import { buildApp } from './app.ts';

/*
 * Generated from the policy table: every role, and nobody, against every API route. A route
 * without a policy entry stops the app from starting; a policy entry without a route fails here.
 */

interface Route {
  method: string;
  url: string;
  access: RouteAccess;
}

const someId = '0190f0a0-0000-7000-8000-00000000abcd';

describe('the route policy matrix', () => {
  let app: FastifyInstance;
  let dispose: () => Promise<void>;
  const callers = new Map<Role | 'nobody', FastifyInstance>();
  let routes: Route[] = [];

  beforeAll(async () => {
    const [embedded] = testEngines();
    if (!embedded) throw new Error('no engine');
    const context = await createTestContext(embedded);
    app = await buildApp(context, { logger: false });
    await app.ready();
    dispose = async () => {
      await app.close();
      await context.dispose();
    };
    callers.set('nobody', app);
    for (const role of roles) callers.set(role, actingAs(app, await bearerFor(context, role)));
    const spec = (await app.inject('/docs/json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    routes = Object.entries(spec.paths)
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => {
          const url = path.replace(/\{(\w+)\}/g, ':$1').replace(/(.)\/$/, '$1');
          const key = `${method.toUpperCase()} ${url}`;
          return {
            method: method.toUpperCase(),
            url,
            access: (routePolicy as Record<string, RouteAccess>)[key] ?? 'public',
          };
        }),
      )
      .filter((route) => route.url.startsWith('/api/') || route.url.startsWith('/fhir/'));
  });
  afterAll(() => dispose());

  it('has a route for every policy entry, and a policy entry for every route', () => {
    const served = new Set(routes.map((route) => `${route.method} ${route.url}`));
    expect(Object.keys(routePolicy).filter((key) => !served.has(key))).toEqual([]);
    expect([...served].filter((key) => !(key in routePolicy))).toEqual([]);
    expect(routes.length).toBeGreaterThan(30);
  });

  it('answers 401 to nobody and 403 to a role without the permission, on every route', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      for (const [who, caller] of callers) {
        const role = who === 'nobody' ? null : who;
        const response = await caller.inject({
          method: route.method as 'GET',
          url: route.url.replace(':id', someId),
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
        });
        const allowed = mayCall(role, route.access);
        const status = response.statusCode;
        const expected = allowed ? 'not 401/403' : role === null ? '401' : '403';
        const ok = allowed
          ? status !== 401 && (status !== 403 || isScopeRefusal(response.json()))
          : status === (role === null ? 401 : 403);
        if (!ok)
          failures.push(`${who} ${route.method} ${route.url}: got ${status}, expected ${expected}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

/** A role may hold a permission and still be refused a record outside its scope (a clinician's own groups). */
function isScopeRefusal(body: unknown): boolean {
  const details = (body as { error?: { details?: { scope?: unknown } } }).error?.details;
  return typeof details?.scope === 'string';
}
