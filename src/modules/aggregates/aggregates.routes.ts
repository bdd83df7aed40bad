import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import {
  aggregateErrors,
  daysWithoutCareQuery,
  daysWithoutCareSchema,
  enrollmentAggregateSchema,
} from './aggregates.schemas.ts';

const tags = ['aggregates'];

/** De-identified aggregates: for the auditor, and for admin, coordinator and compliance. */
export const aggregateRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.get(
    '/aggregates/enrollment',
    { schema: { tags, response: { 200: enrollmentAggregateSchema, ...aggregateErrors } } },
    async (request) => request.services.aggregates.enrollment(),
  );
  app.get(
    '/aggregates/days-without-care',
    {
      schema: {
        tags,
        querystring: daysWithoutCareQuery,
        response: { 200: daysWithoutCareSchema, ...aggregateErrors },
      },
    },
    async (request) =>
      request.services.aggregates.daysWithoutCare(
        request.query.weeks,
        request.query.serviceAreaId ?? null,
      ),
  );
  return Promise.resolve();
};
