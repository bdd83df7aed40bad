import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { errorResponses } from '../../http/responses.ts';
import {
  createGroupBody,
  groupPage,
  groupSchema,
  idParams,
  listGroupsQuery,
  listSessionsQuery,
  sessionPage,
  updateGroupBody,
} from './groups.schemas.ts';

const tags = ['groups'];

export const groupRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.post(
    '/groups',
    {
      schema: {
        tags,
        body: createGroupBody,
        response: { 201: groupSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await request.services.groups.create(request.body)),
  );

  app.get(
    '/groups',
    {
      schema: {
        tags,
        querystring: listGroupsQuery,
        response: { 200: groupPage, ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.groups.list(filter, { cursor, limit });
    },
  );

  app.get(
    '/groups/:id',
    { schema: { tags, params: idParams, response: { 200: groupSchema, ...errorResponses } } },
    async (request) => request.services.groups.get(request.params.id),
  );

  app.patch(
    '/groups/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: updateGroupBody,
        response: { 200: groupSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { version, ...patch } = request.body;
      return request.services.groups.update(request.params.id, version, patch);
    },
  );

  app.get(
    '/groups/:id/sessions',
    {
      schema: {
        tags,
        params: idParams,
        querystring: listSessionsQuery,
        response: { 200: sessionPage, ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.groups.sessions(request.params.id, filter, { cursor, limit });
    },
  );
  return Promise.resolve();
};
