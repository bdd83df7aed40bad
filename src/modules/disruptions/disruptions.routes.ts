import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { errorResponses } from '../../http/responses.ts';
import {
  applySchema,
  createDisruptionBody,
  disruptionPage,
  disruptionSchema,
  endDisruptionBody,
  endSchema,
  idParams,
  listDisruptionsQuery,
  simulationSchema,
  updateDisruptionBody,
} from './disruptions.schemas.ts';

const tags = ['disruptions'];

export const disruptionRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.post(
    '/disruptions',
    {
      schema: {
        tags,
        summary: 'Create a draft disruption',
        body: createDisruptionBody,
        response: { 201: disruptionSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await request.services.disruptions.create(request.body)),
  );

  app.get(
    '/disruptions',
    {
      schema: {
        tags,
        querystring: listDisruptionsQuery,
        response: { 200: disruptionPage, ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.disruptions.list(filter, { cursor, limit });
    },
  );

  app.get(
    '/disruptions/:id',
    { schema: { tags, params: idParams, response: { 200: disruptionSchema, ...errorResponses } } },
    async (request) => request.services.disruptions.get(request.params.id),
  );

  app.patch(
    '/disruptions/:id',
    {
      schema: {
        tags,
        summary: 'Edit a draft',
        params: idParams,
        body: updateDisruptionBody,
        response: { 200: disruptionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { version, ...patch } = request.body;
      return request.services.disruptions.update(request.params.id, version, patch);
    },
  );

  app.post(
    '/disruptions/:id/simulate',
    {
      schema: {
        tags,
        summary: 'The impact, without writing anything',
        params: idParams,
        response: { 200: simulationSchema, ...errorResponses },
      },
    },
    async (request) => request.services.disruptions.simulate(request.params.id),
  );

  app.post(
    '/disruptions/:id/apply',
    {
      schema: {
        tags,
        summary: 'Cancel the sessions in scope, in one transaction; again changes nothing',
        params: idParams,
        response: { 200: applySchema, ...errorResponses },
      },
    },
    async (request) => request.services.disruptions.apply(request.params.id),
  );

  app.post(
    '/disruptions/:id/end',
    {
      schema: {
        tags,
        summary: 'End it: the sessions after its last day resume',
        params: idParams,
        body: endDisruptionBody,
        response: { 200: endSchema, ...errorResponses },
      },
    },
    async (request) => request.services.disruptions.end(request.params.id, request.body.on),
  );
  return Promise.resolve();
};
