import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { errorResponses } from '../../http/responses.ts';
import { directoryRoutes } from './directory.routes.ts';
import {
  createOutsideProviderBody,
  idParams,
  listOutsideProvidersQuery,
  outsideProviderPage,
  outsideProviderSchema,
  updateOutsideProviderBody,
} from './outside-providers.schemas.ts';

const tags = ['outside providers'];

export const outsideProviderRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (
  app,
  options,
) => {
  await app.register(directoryRoutes, options);

  app.post(
    '/outside-providers',
    {
      schema: {
        tags,
        body: createOutsideProviderBody,
        response: { 201: outsideProviderSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await request.services.outsideProviders.create(request.body)),
  );

  app.get(
    '/outside-providers',
    {
      schema: {
        tags,
        querystring: listOutsideProvidersQuery,
        response: { 200: outsideProviderPage, ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.outsideProviders.list(filter, { cursor, limit });
    },
  );

  app.get(
    '/outside-providers/:id',
    {
      schema: {
        tags,
        params: idParams,
        response: { 200: outsideProviderSchema, ...errorResponses },
      },
    },
    async (request) => request.services.outsideProviders.get(request.params.id),
  );

  app.patch(
    '/outside-providers/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: updateOutsideProviderBody,
        response: { 200: outsideProviderSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { version, ...patch } = request.body;
      return request.services.outsideProviders.update(request.params.id, version, patch);
    },
  );
};
