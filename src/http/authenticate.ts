import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context, Services } from '../context.ts';
import { sessionCookie } from '../modules/auth/authenticator.service.ts';
import type { AccessRecord } from '../modules/audit/access.service.ts';
import {
  anonymous,
  mayCall,
  routeAccessOf,
  type Actor,
  type Permission,
  type RouteAccess,
} from '../modules/auth/policy.domain.ts';
import { uuidPattern } from '../shared/ids.ts';
import { AppError, isAppError } from '../shared/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking (anonymous when nobody is signed in). */
    actor: Actor;
    /** The services as this actor may use them. */
    services: Services;
    /** For cookie sessions: the token unsafe requests must send back in x-csrf-token. */
    csrfToken: string | null;
  }
  interface FastifyContextConfig {
    /** A route anyone may call outside the API (health). API routes take theirs from routePolicy. */
    public?: boolean;
    /** Filled in from routePolicy when the route is registered. */
    access?: RouteAccess;
  }
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Permissions over patient data (and over the trail of it): a refusal of these is audited. */
const sensitivePermissions = new Set<Permission>([
  'patients:read',
  'patients:write',
  'enrollments:read',
  'enrollments:write',
  'audit:read',
]);

function deniedRecord(request: FastifyRequest): AccessRecord {
  const url = request.routeOptions.url ?? '';
  const { id } = request.params as { id?: unknown };
  const entityId = typeof id === 'string' && uuidPattern.test(id) ? id : null;
  return {
    action: `${request.method} ${url}`,
    entity: url.split('/')[3] ?? 'api',
    entityId,
    patientId: url.startsWith('/api/v1/patients/:id') ? entityId : null,
  };
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? '';
}

/** The cookie's attributes: HttpOnly, SameSite=Strict, Secure whenever the request came over HTTPS. */
export function cookieOptions(request: FastifyRequest, expires?: Date) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: request.protocol === 'https',
    ...(expires ? { expires } : {}),
  };
}

/**
 * Cross-site request forgery: a cookie-authenticated unsafe request must come from our own origin
 * (when the browser says where it comes from) and carry the session's CSRF token.
 */
function checkCsrf(request: FastifyRequest, csrfToken: string | null): void {
  if (!unsafeMethods.has(request.method) || request.actor.kind !== 'user') return;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
    throw new AppError('CSRF_FAILED', 'The request comes from another site.');
  }
  if (csrfToken === null || request.headers['x-csrf-token'] !== csrfToken) {
    throw new AppError('CSRF_FAILED', 'Send the x-csrf-token header given at sign-in.');
  }
}

/**
 * Identifies every request (bearer token or session cookie), checks CSRF for cookie sessions, and
 * gives the request its actor's services. It decides nothing about permissions: services do.
 */
export async function installAuthentication(app: FastifyInstance, context: Context): Promise<void> {
  await app.register(fastifyCookie);
  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('services', null as unknown as Services);
  app.decorateRequest('csrfToken', null);

  // Every API route must have an entry in the policy table: a route without one stops the app.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') && !route.url.startsWith('/fhir/')) return;
    for (const method of [route.method].flat()) {
      const access = routeAccessOf(method, route.url);
      if (!access)
        throw new Error(
          `No policy for ${method} ${route.url}: add it to routePolicy in policy.domain.ts.`,
        );
      route.config = { ...route.config, access, public: access === 'public' };
    }
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // The dashboard's page and files are public (the API behind them is not): an ended session
    // must still get the page, which then shows the sign-in.
    const isPublic =
      request.routeOptions.config.public === true || !/^\/(api|fhir)(\/|$)/.test(request.url);
    try {
      const { actor, csrfToken } = await context.authenticator.authenticate({
        bearer: bearerOf(request),
        sessionId: request.cookies[sessionCookie],
        ip: request.ip,
      });
      request.actor = actor;
      request.csrfToken = csrfToken;
      checkCsrf(request, csrfToken);
    } catch (error) {
      // An ended session must not stop anyone from signing in again.
      if (!isPublic || !isAppError(error) || error.code === 'CSRF_FAILED') {
        if (isAppError(error) && error.code === 'SESSION_EXPIRED')
          reply.clearCookie(sessionCookie, cookieOptions(request));
        throw error;
      }
      request.actor = anonymous(request.ip);
      request.csrfToken = null;
    }
    request.services = context.servicesFor(request.actor);
    // Checked before the body is even validated; the service checks its permission again.
    const access = request.routeOptions.config.access;
    if (access === undefined || mayCall(request.actor.role, access)) return;
    if (access === 'public' || access === 'signed-in') {
      throw new AppError('UNAUTHENTICATED', 'Sign in first.');
    }
    // Throws; a refused attempt on patient data is audited as denied.
    await context
      .accessFor(request.actor)
      .require(access, sensitivePermissions.has(access) ? deniedRecord(request) : undefined);
  });
}
