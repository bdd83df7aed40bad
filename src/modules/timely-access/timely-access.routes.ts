import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../context.ts';
import { calendarDate, idParams, instant, pageOf, pageQuery } from '../../http/codecs.ts';
import { riskTiers } from '../matching/risk.domain.ts';
import { specialties } from '../vocabulary/vocabulary.domain.ts';
import { gapStatuses } from './care-gaps.repository.ts';
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

const careGap = z.object({
  patientId: z.uuid(),
  serviceAreaId: z.uuid(),
  specialty: z.string().nullable(),
  tier: z.enum(riskTiers),
  lastCareAt: instant.nullable(),
  daysWithoutCare: z.number().int().nullable(),
  standard: z.enum(['fuh_7_days', 'fuh_30_days', 'follow_up_10_business_days']),
  deadline: instant,
  nextCareAt: instant.nullable(),
  status: z.enum(gapStatuses),
});

const requestVerdict = z.object({
  appointmentId: z.uuid().nullable(),
  patientId: z.uuid(),
  standard: z.enum(standards),
  status: z.enum(['met', 'missed', 'pending', 'excepted']),
  deadline: instant,
  serviceAreaId: z.uuid(),
  specialty: z.string().nullable(),
  network: z.enum(['in_network', 'outside', 'none']),
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
  app.get(
    '/care-gaps',
    {
      schema: {
        tags: ['timely access'],
        summary:
          'Patients in a course of treatment and their next deadline, worst risk first, then by deadline',
        querystring: z.strictObject({
          ...pageQuery,
          status: z.enum(gapStatuses).optional(),
          area: z.uuid().optional().describe('A service area id.'),
          specialty: z.enum(specialties).optional(),
        }),
        response: { 200: pageOf(careGap), ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, status, area, specialty } = request.query;
      return request.services.timelyAccess.careGaps(
        { status, serviceAreaId: area, specialty },
        { cursor, limit },
      );
    },
  );

  app.get(
    '/patients/:id/clocks',
    {
      schema: {
        tags: ['timely access'],
        summary: "A patient's care gap and the verdict of each request of the last year",
        params: idParams,
        response: {
          200: z.object({ careGap: careGap.nullable(), requests: z.array(requestVerdict) }),
          ...errorResponses,
        },
      },
    },
    async (request) => request.services.timelyAccess.patientClocks(request.params.id),
  );
  return Promise.resolve();
};
