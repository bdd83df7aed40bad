import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../context.ts';
import { calendarDate, instant } from '../../http/codecs.ts';
import { errorResponses } from '../../http/responses.ts';
import { standards } from './rules.domain.ts';
import { groupings } from './timely-access.repository.ts';
import { complianceThreshold } from './timely-access.service.ts';

const closure = z.object({
  day: calendarDate,
  reason: z.string(),
  addedBy: z.string(),
  addedAt: instant,
});

const rate = z.object({
  standard: z.enum(standards),
  group: z.string(),
  met: z.number().int(),
  missed: z.number().int(),
  excepted: z.number().int(),
  pending: z.number().int(),
  denominator: z.number().int(),
  rate: z.number().nullable(),
  belowThreshold: z.boolean(),
  definition: z.string(),
});

export const timelyAccessRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.get(
    '/calendar',
    {
      schema: {
        tags: ['timely access'],
        summary: 'The business-day calendar: California state holidays and the closures added',
        response: {
          200: z.object({
            timeZone: z.string(),
            fromYear: z.number().int(),
            toYear: z.number().int(),
            holidays: z.array(calendarDate),
            closures: z.array(closure),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => request.services.timelyAccess.calendar(),
  );

  app.post(
    '/calendar/closures',
    {
      schema: {
        tags: ['timely access'],
        summary: 'Close a day (a holiday or a closure): it is no business day',
        body: z.strictObject({ day: calendarDate, reason: z.string().trim().min(1).max(200) }),
        response: { 201: closure, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await request.services.timelyAccess.addClosure(request.body.day, request.body.reason),
        ),
  );

  app.delete(
    '/calendar/closures/:day',
    {
      schema: {
        tags: ['timely access'],
        params: z.object({ day: calendarDate }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await request.services.timelyAccess.removeClosure(request.params.day);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/compliance/timely-access',
    {
      schema: {
        tags: ['timely access'],
        summary:
          'Timely-access rates for requests in [from, to), by standard and group: numerator, denominator, excepted and pending apart',
        querystring: z.strictObject({
          from: instant,
          to: instant,
          groupBy: z.enum(groupings).default('standard'),
          disruptionId: z
            .uuid()
            .optional()
            .describe('Only the patients this disruption displaced.'),
        }),
        response: {
          200: z.object({ threshold: z.number(), items: z.array(rate) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { groupBy, ...filter } = request.query;
      return {
        threshold: complianceThreshold,
        items: await request.services.timelyAccess.rates(filter, groupBy),
      };
    },
  );
  return Promise.resolve();
};
