import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { errorResponses } from '../../http/responses.ts';
import {
  createEnrollmentBody,
  enrollmentPage,
  enrollmentSchema,
  idParams,
  listEnrollmentsQuery,
  updateEnrollmentBody,
} from './enrollments.schemas.ts';

const tags = ['enrollments'];

export const enrollmentRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.post(
    '/enrollments',
    {
      schema: {
        tags,
        body: createEnrollmentBody,
        response: { 201: enrollmentSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await request.services.enrollments.create(request.body)),
  );

  app.get(
    '/enrollments',
    {
      schema: {
        tags,
        querystring: listEnrollmentsQuery,
        response: { 200: enrollmentPage, ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.enrollments.list(filter, { cursor, limit });
    },
  );

  app.get(
    '/enrollments/:id',
    { schema: { tags, params: idParams, response: { 200: enrollmentSchema, ...errorResponses } } },
    async (request) => request.services.enrollments.get(request.params.id),
  );

  app.patch(
    '/enrollments/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: updateEnrollmentBody,
        response: { 200: enrollmentSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { version, ...patch } = request.body;
      return request.services.enrollments.update(request.params.id, version, patch);
    },
  );
  return Promise.resolve();
};
