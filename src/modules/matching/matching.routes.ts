import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../context.ts';
import { errorResponses } from '../../http/responses.ts';
import {
  commitSchema,
  decideBody,
  decideManyBody,
  idParams,
  listProposalsQuery,
  listRunsQuery,
  proposalPage,
  proposalSchema,
  rematchBody,
  runPage,
  runSchema,
} from './matching.schemas.ts';

const tags = ['re-matching'];

export const matchingRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.post(
    '/disruptions/:id/rematch',
    {
      schema: {
        tags,
        summary: 'Plan the displaced cohort at once, optimally: one proposal per patient',
        params: idParams,
        body: rematchBody,
        response: { 201: runSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await request.services.matching.rematch(request.params.id, request.body)),
  );

  app.get(
    '/match-runs',
    {
      schema: { tags, querystring: listRunsQuery, response: { 200: runPage, ...errorResponses } },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.matching.listRuns(filter, { cursor, limit });
    },
  );

  app.get(
    '/match-runs/:id',
    { schema: { tags, params: idParams, response: { 200: runSchema, ...errorResponses } } },
    async (request) => request.services.matching.getRun(request.params.id),
  );

  app.get(
    '/match-runs/:id/proposals',
    {
      schema: {
        tags,
        summary: 'The plan, highest risk first',
        params: idParams,
        querystring: listProposalsQuery,
        response: { 200: proposalPage, ...errorResponses },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.matching.listProposals(request.params.id, filter, {
        cursor,
        limit,
      });
    },
  );

  app.post(
    '/match-runs/:id/decisions',
    {
      schema: {
        tags,
        summary: 'Approve, reject or reset many proposals at once',
        params: idParams,
        body: decideManyBody,
        response: { 200: z.object({ changed: z.number().int() }), ...errorResponses },
      },
    },
    async (request) =>
      request.services.matching.decideMany(
        request.params.id,
        request.body.decision,
        request.body.proposalIds ?? null,
      ),
  );

  app.post(
    '/match-runs/:id/commit',
    {
      schema: {
        tags,
        summary: 'Carry out the approved proposals in one transaction; again changes nothing',
        params: idParams,
        response: { 200: commitSchema, ...errorResponses },
      },
    },
    async (request) => request.services.matching.commit(request.params.id),
  );

  app.get(
    '/match-proposals/:id',
    { schema: { tags, params: idParams, response: { 200: proposalSchema, ...errorResponses } } },
    async (request) => request.services.matching.getProposal(request.params.id),
  );

  app.patch(
    '/match-proposals/:id',
    {
      schema: {
        tags,
        summary: 'Approve, reject or reset one proposal, or swap in an alternative',
        params: idParams,
        body: decideBody,
        response: { 200: proposalSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { version, ...change } = request.body;
      return request.services.matching.decide(request.params.id, version, change);
    },
  );
  return Promise.resolve();
};
