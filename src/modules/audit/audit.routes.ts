import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { auditErrors, auditEventPage, searchAuditQuery } from './audit.schemas.ts';

const tags = ['audit'];

/** The audit trail, newest first (admin and compliance). Verifying the chain is a CLI command. */
export const auditRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.get(
    '/audit',
    {
      schema: {
        tags,
        querystring: searchAuditQuery,
        response: { 200: auditEventPage, ...auditErrors },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      return request.services.audit.search(filter, { cursor, limit });
    },
  );
  return Promise.resolve();
};
