import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { errorResponses } from '../../http/responses.ts';
import {
  createClinicianBody,
  idParams,
  listCliniciansQuery,
  clinicianPage,
  clinicianSchema,
  updateClinicianBody,
} from './clinicians.schemas.ts';

const tags = ['clinicians'];

export const clinicianRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.post(
    '/clinicians',
    {
      schema: {
        tags,
        body: createClinicianBody,
        response: { 201: clinicianSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await request.services.clinicians.create(request.body)),
  );

  app.get(
    '/clinicians',
    {
      schema: {
        tags,
        querystring: listCliniciansQuery,
        response: { 200: clinicianPage, ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.clinicians.list(filter, { cursor, limit });
    },
  );

  app.get(
    '/clinicians/:id',
    { schema: { tags, params: idParams, response: { 200: clinicianSchema, ...errorResponses } } },
    async (request) => request.services.clinicians.get(request.params.id),
  );

  app.patch(
    '/clinicians/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: updateClinicianBody,
        response: { 200: clinicianSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { version, ...patch } = request.body;
      return request.services.clinicians.update(request.params.id, version, patch);
    },
  );
  return Promise.resolve();
};
