import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { errorResponses } from '../../http/responses.ts';
import {
  createLocationBody,
  idParams,
  listLocationsQuery,
  locationPage,
  locationSchema,
  updateLocationBody,
} from './locations.schemas.ts';

const tags = ['locations'];

export const locationRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.post(
    '/locations',
    {
      schema: {
        tags,
        body: createLocationBody,
        response: { 201: locationSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await request.services.locations.create(request.body)),
  );

  app.get(
    '/locations',
    {
      schema: {
        tags,
        querystring: listLocationsQuery,
        response: { 200: locationPage, ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.locations.list(filter, { cursor, limit });
    },
  );

  app.get(
    '/locations/:id',
    { schema: { tags, params: idParams, response: { 200: locationSchema, ...errorResponses } } },
    async (request) => request.services.locations.get(request.params.id),
  );

  app.patch(
    '/locations/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: updateLocationBody,
        response: { 200: locationSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { version, ...patch } = request.body;
      return request.services.locations.update(request.params.id, version, patch);
    },
  );
  return Promise.resolve();
};
