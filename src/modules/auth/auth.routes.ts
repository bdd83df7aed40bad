import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../context.ts';
import { cookieOptions } from '../../http/authenticate.ts';
import { idParams } from '../../http/codecs.ts';
import { errorResponses } from '../../http/responses.ts';
import { errorBody } from '../../http/codecs.ts';
import { sessionCookie } from './authenticator.service.ts';
import { permissionsOf } from './policy.domain.ts';
import {
  createTokenBody,
  createUserBody,
  createdTokenSchema,
  loginBody,
  loginResponse,
  meResponse,
  tokenSchema,
  userSchema,
} from './auth.schemas.ts';
import { toUser } from './users.service.ts';

const tags = ['sign-in'];
const authErrors = { ...errorResponses, 401: errorBody, 403: errorBody, 429: errorBody };

export const authRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app, { context }) => {
  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: { tags, body: loginBody, response: { 200: loginResponse, ...authErrors } },
    },
    async (request, reply) => {
      const result = await context.authenticator.login(
        request.body.email,
        request.body.password,
        request.ip,
      );
      reply.setCookie(sessionCookie, result.sessionId, cookieOptions(request, result.expiresAt));
      return {
        user: toUser(result.user),
        csrfToken: result.csrfToken,
        expiresAt: result.expiresAt,
      };
    },
  );

  app.post(
    '/auth/logout',
    { config: { public: true }, schema: { tags, response: { 204: z.null(), ...authErrors } } },
    async (request, reply) => {
      const sessionId = request.cookies[sessionCookie];
      if (sessionId !== undefined) await context.authenticator.logout(sessionId);
      reply.clearCookie(sessionCookie, cookieOptions(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    { schema: { tags, response: { 200: meResponse, ...authErrors } } },
    async (request) => ({
      user: await request.services.users.me(),
      csrfToken: request.csrfToken,
      idleMinutes: context.config.SESSION_IDLE_MINUTES,
      permissions: permissionsOf(request.actor.role),
    }),
  );

  const adminTags = ['users and tokens'];
  app.post(
    '/users',
    {
      schema: {
        tags: adminTags,
        body: createUserBody,
        response: { 201: userSchema, ...authErrors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await request.services.users.create(request.body)),
  );
  app.get(
    '/users',
    {
      schema: {
        tags: adminTags,
        response: { 200: z.object({ items: z.array(userSchema) }), ...authErrors },
      },
    },
    async (request) => ({ items: await request.services.users.list() }),
  );
  app.post(
    '/tokens',
    {
      schema: {
        tags: adminTags,
        body: createTokenBody,
        response: { 201: createdTokenSchema, ...authErrors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await request.services.users.createToken(request.body.userId, request.body.name)),
  );
  app.get(
    '/tokens',
    {
      schema: {
        tags: adminTags,
        response: { 200: z.object({ items: z.array(tokenSchema) }), ...authErrors },
      },
    },
    async (request) => ({ items: await request.services.users.listTokens() }),
  );
  app.delete(
    '/tokens/:id',
    {
      schema: { tags: adminTags, params: idParams, response: { 200: tokenSchema, ...authErrors } },
    },
    async (request) => request.services.users.revokeToken(request.params.id),
  );
  return Promise.resolve();
};
