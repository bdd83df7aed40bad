import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../context.ts';
import { idParams, instant, pageQuery, version } from '../../http/codecs.ts';
import { errorResponses } from '../../http/responses.ts';
import { runSchema } from '../matching/matching.schemas.ts';
import {
  declineReasons,
  outreachChannels,
  outreachOutcomes,
  referralStatuses,
} from './referrals.domain.ts';
import { actionReasons } from './referrals.repository.ts';

const tags = ['referrals'];

const referral = z.object({
  id: z.uuid(),
  patientId: z.uuid(),
  providerId: z.uuid(),
  proposalId: z.uuid().nullable(),
  status: z.enum(referralStatuses),
  dueAt: instant.nullable(),
  sentAt: instant.nullable(),
  responseDueAt: instant.nullable(),
  acceptedAt: instant.nullable(),
  firstAppointmentAt: instant.nullable(),
  declineReason: z.enum(declineReasons).nullable(),
  reason: z.string().nullable(),
  history: z.array(
    z.object({
      from: z.enum(referralStatuses),
      to: z.enum(referralStatuses),
      at: z.string(),
      by: z.string(),
      reason: z.enum(declineReasons).optional(),
      note: z.string().optional(),
    }),
  ),
  version: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});

const listed = referral.extend({
  action: z
    .enum(actionReasons)
    .nullable()
    .describe('With needs=action: why the referral needs a person.'),
});

const attempt = z.object({
  id: z.uuid(),
  patientId: z.uuid(),
  referralId: z.uuid().nullable(),
  channel: z.enum(outreachChannels),
  at: instant,
  outcome: z.enum(outreachOutcomes),
  note: z.string().nullable(),
  recordedBy: z.string(),
});

export const referralRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.get(
    '/referrals',
    {
      schema: {
        tags,
        summary:
          'Referrals; with needs=action, the worklist of those needing a person, highest risk first',
        querystring: z
          .strictObject({
            ...pageQuery,
            patientId: z.uuid().optional(),
            providerId: z.uuid().optional(),
            status: z.enum(referralStatuses).optional(),
            needs: z.enum(['action']).optional(),
          })
          // The worklist is one ranked page of its own: a filter or a cursor would be ignored.
          .refine(
            (q) =>
              q.needs === undefined ||
              [q.cursor, q.patientId, q.providerId, q.status].every((v) => v === undefined),
            {
              path: ['needs'],
              error: 'needs=action takes no cursor, patientId, providerId or status',
            },
          ),
        response: {
          200: z.object({ items: z.array(listed), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { cursor, limit, needs, ...filter } = request.query;
      if (needs === 'action') {
        const items = await request.services.referrals.needingAction(limit);
        return {
          items: items.map((i) => ({ ...i.referral, action: i.reason })),
          nextCursor: null,
        };
      }
      const page = await request.services.referrals.list(filter, { cursor, limit });
      return {
        items: page.items.map((r) => ({ ...r, action: null })),
        nextCursor: page.nextCursor,
      };
    },
  );

  const measure = z.object({
    numerator: z.number().int(),
    denominator: z.number().int(),
    rate: z.number().nullable(),
    definition: z.string(),
  });
  app.get(
    '/referrals/metrics',
    {
      schema: {
        tags,
        summary:
          'Closed-loop measures of the referrals sent in [from, to), each with its denominator',
        querystring: z.strictObject({
          from: instant,
          to: instant,
          disruptionId: z.uuid().optional().describe("Only the disruption's displaced patients."),
        }),
        response: {
          200: z.object({
            from: instant,
            to: instant,
            disruptionId: z.uuid().nullable(),
            sent: z.number().int(),
            accepted: measure,
            completed: measure,
            completedInTime: measure,
            medianBusinessDaysToFirstVisit: z.number().nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => request.services.referrals.metrics(request.query),
  );

  app.get(
    '/referrals/:id',
    { schema: { tags, params: idParams, response: { 200: referral, ...errorResponses } } },
    async (request) => request.services.referrals.get(request.params.id),
  );

  app.post(
    '/referrals/:id/transitions',
    {
      schema: {
        tags,
        summary:
          'Move a referral along draft → sent → accepted → scheduled → completed (or declined, expired, no-show, cancelled)',
        params: idParams,
        body: z.strictObject({
          version,
          to: z.enum(referralStatuses),
          declineReason: z.enum(declineReasons).optional(),
          firstAppointmentAt: instant.optional(),
          note: z.string().trim().min(1).max(500).optional(),
        }),
        response: {
          200: z.object({
            referral,
            replan: runSchema
              .nullable()
              .describe('After a decline, expiry or no-show: the next best plan for the patient.'),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { version: at, ...input } = request.body;
      return request.services.referrals.transition(request.params.id, at, input);
    },
  );

  const outreachBody = z.object({
    attempts: z.array(attempt),
    failedInARow: z.number().int(),
    needsPerson: z.boolean().describe('Three failed attempts in a row: a person should follow up.'),
  });

  app.get(
    '/patients/:id/outreach',
    {
      schema: {
        tags,
        summary: "The patient's contact attempts, newest first",
        params: idParams,
        response: { 200: outreachBody, ...errorResponses },
      },
    },
    async (request) => request.services.referrals.outreach(request.params.id),
  );

  app.post(
    '/patients/:id/outreach',
    {
      schema: {
        tags,
        summary: "Record a contact attempt, as the patient's contact preferences allow",
        params: idParams,
        body: z.strictObject({
          channel: z.enum(outreachChannels),
          outcome: z.enum(outreachOutcomes),
          at: instant.optional(),
          referralId: z.uuid().optional(),
          note: z.string().trim().min(1).max(500).optional(),
        }),
        response: {
          201: z.object({ attempt, failedInARow: z.number().int(), needsPerson: z.boolean() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await request.services.referrals.recordOutreach({
          patientId: request.params.id,
          ...request.body,
        }),
      ),
  );
  return Promise.resolve();
};
