import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { errorResponses } from '../../http/responses.ts';
import {
  createServiceAreaBody,
  idParams,
  listServiceAreasQuery,
  serviceAreaPage,
  serviceAreaSchema,
  updateServiceAreaBody,
} from './service-areas.schemas.ts';

const tags = ['service areas'];

export const serviceAreaRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.post(
    '/service-areas',
    {
      schema: {
        tags,
        body: createServiceAreaBody,
        response: { 201: serviceAreaSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await request.services.serviceAreas.create(request.body)),
  );

  app.get(
    '/service-areas',
    {
      schema: {
        tags,
        querystring: listServiceAreasQuery,
        response: { 200: serviceAreaPage, ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.serviceAreas.list(filter, { cursor, limit });
    },
  );

  app.get(
    '/service-areas/:id',
    { schema: { tags, params: idParams, response: { 200: serviceAreaSchema, ...errorResponses } } },
    async (request) => request.services.serviceAreas.get(request.params.id),
  );

  app.patch(
    '/service-areas/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: updateServiceAreaBody,
        response: { 200: serviceAreaSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { version, ...patch } = request.body;
      return request.services.serviceAreas.update(request.params.id, version, patch);
    },
  );
  return Promise.resolve();
};
