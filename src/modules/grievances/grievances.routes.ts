import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../context.ts';
import { idParams, instant, pageOf, pageQuery, version } from '../../http/codecs.ts';
import { errorResponses } from '../../http/responses.ts';
import {
  grievanceChannels,
  grievanceStatuses,
  grievanceTypes,
  linesOfBusiness,
  pendingWith,
} from './grievances.domain.ts';

const tags = ['grievances'];

const grievance = z.object({
  id: z.uuid(),
  patientId: z.uuid(),
  receivedAt: instant,
  channel: z.enum(grievanceChannels),
  type: z.enum(grievanceTypes),
  lineOfBusiness: z.enum(linesOfBusiness),
  expedited: z.boolean(),
  disruptionId: z.uuid().nullable(),
  summary: z.string(),
  notes: z.string().nullable(),
  status: z.enum(grievanceStatuses),
  pendingWith: z.enum(pendingWith),
  acknowledgedAt: instant.nullable(),
  resolvedAt: instant.nullable(),
  withdrawnAt: instant.nullable(),
  resolution: z.string().nullable(),
  regulatorNoticeAt: instant
    .nullable()
    .describe('Expedited: when the patient was told they may contact DMHC.'),
  dispositionSentAt: instant.nullable(),
  receivedBy: z.string(),
  version: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
  deadlines: z.object({
    acknowledgeBefore: instant,
    resolveBefore: instant,
    dispositionBefore: instant.nullable(),
  }),
});

const rate = z.object({
  numerator: z.number(),
  denominator: z.number(),
  value: z.number().nullable(),
  unit: z.string(),
  definition: z.string(),
});

export const grievanceRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.post(
    '/grievances',
    {
      schema: {
        tags,
        summary: 'Record a grievance; its deadlines come back with it',
        body: z.strictObject({
          patientId: z.uuid(),
          receivedAt: instant,
          channel: z.enum(grievanceChannels),
          type: z.enum(grievanceTypes),
          lineOfBusiness: z.enum(linesOfBusiness),
          expedited: z.boolean().default(false),
          disruptionId: z.uuid().nullable().optional(),
          summary: z.string().trim().min(1).max(2000),
          notes: z.string().max(20_000).nullable().optional(),
        }),
        response: { 201: grievance, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await request.services.grievances.create(request.body)),
  );

  app.get(
    '/grievances',
    {
      schema: {
        tags,
        querystring: z.strictObject({
          ...pageQuery,
          status: z.enum(grievanceStatuses).optional(),
          patientId: z.uuid().optional(),
          disruptionId: z.uuid().optional(),
        }),
        response: { 200: pageOf(grievance), ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.grievances.list(filter, { cursor, limit });
    },
  );

  app.get(
    '/grievances/due',
    {
      schema: {
        tags,
        summary: 'Open grievances due within a day or overdue, expedited first',
        response: {
          200: z.object({
            items: z.array(
              grievance.extend({
                nextDuty: z.enum(['disposition', 'acknowledge', 'resolve']),
                dueBefore: instant,
                overdue: z.boolean(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => ({ items: await request.services.grievances.due() }),
  );

  app.get(
    '/grievances/reports/quarterly',
    {
      schema: {
        tags,
        summary:
          'Grievances pending or unresolved 30 days or more at the quarter’s end, by line of business, type and where pending',
        querystring: z.strictObject({
          year: z.coerce.number().int().min(2000).max(2100),
          quarter: z.coerce.number().int().min(1).max(4),
        }),
        response: {
          200: z.object({
            year: z.number().int(),
            quarter: z.number().int(),
            asOf: instant,
            total: z.number().int(),
            rows: z.array(
              z.object({
                lineOfBusiness: z.string(),
                type: z.string(),
                pendingWith: z.string(),
                count: z.number().int(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) =>
      request.services.grievances.quarterly(
        request.query.year,
        request.query.quarter as 1 | 2 | 3 | 4,
      ),
  );

  app.get(
    '/grievances/rates',
    {
      schema: {
        tags,
        summary:
          'Grievance rates for a period (or a disruption): per 1,000 enrollees per 30 days, per 10,000 members, and a share of affected patients',
        querystring: z.strictObject({
          from: instant,
          to: instant,
          disruptionId: z.uuid().optional(),
        }),
        response: {
          200: z.object({
            from: instant,
            to: instant,
            days: z.number(),
            all: z.array(rate),
            disruptionRelated: z.array(rate),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => request.services.grievances.rates(request.query),
  );

  app.get(
    '/grievances/:id',
    { schema: { tags, params: idParams, response: { 200: grievance, ...errorResponses } } },
    async (request) => request.services.grievances.get(request.params.id),
  );

  app.patch(
    '/grievances/:id',
    {
      schema: {
        tags,
        summary:
          'Acknowledge, resolve (with the resolution) or withdraw; record where it is pending',
        params: idParams,
        body: z.strictObject({
          version,
          to: z.enum(grievanceStatuses).optional(),
          resolution: z.string().trim().min(1).max(5000).optional(),
          pendingWith: z.enum(pendingWith).optional(),
          dispositionSentAt: instant.optional(),
          notes: z.string().max(20_000).nullable().optional(),
        }),
        response: { 200: grievance, ...errorResponses },
      },
    },
    async (request) => {
      const { version: at, ...change } = request.body;
      return request.services.grievances.update(request.params.id, at, change);
    },
  );
  return Promise.resolve();
};
