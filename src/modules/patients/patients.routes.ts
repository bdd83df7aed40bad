import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { errorResponses } from '../../http/responses.ts';
import {
  createPatientBody,
  idParams,
  listPatientsQuery,
  patientPage,
  patientSchema,
  updatePatientBody,
} from './patients.schemas.ts';

const tags = ['patients'];

export const patientRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.post(
    '/patients',
    {
      schema: {
        tags,
        body: createPatientBody,
        response: { 201: patientSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await request.services.patients.create(request.body)),
  );

  app.get(
    '/patients',
    {
      schema: {
        tags,
        querystring: listPatientsQuery,
        response: { 200: patientPage, ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.patients.list(filter, { cursor, limit });
    },
  );

  app.get(
    '/patients/:id',
    { schema: { tags, params: idParams, response: { 200: patientSchema, ...errorResponses } } },
    async (request) => request.services.patients.get(request.params.id),
  );

  app.patch(
    '/patients/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: updatePatientBody,
        response: { 200: patientSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { version, ...patch } = request.body;
      return request.services.patients.update(request.params.id, version, patch);
    },
  );
  return Promise.resolve();
};
