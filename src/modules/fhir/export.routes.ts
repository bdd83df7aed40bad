import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../context.ts';
import { requireRespondAsync, ndjsonMediaType, statusUrlOf } from './export.domain.ts';
import { exportJobsOf } from './export-jobs.ts';
import { errorOutcome } from './fhir.domain.ts';
import { baseUrlOf, sendFhir } from './fhir.routes.ts';

/*
 * Bulk Data export (HL7 Bulk Data Access IG v2): kick-off (202 + Content-Location), status (202
 * with X-Progress while running, 200 with the manifest when done), cancel, and the NDJSON files.
 */

const idParam = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'a FHIR id');
const fileParam = z.string().regex(/^[A-Z][A-Za-z]{1,63}\.ndjson$/, 'a file of the export');
const query = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/** How long a client should wait before polling again, in seconds. */
const retryAfterSeconds = 2;

export const exportRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (
  app,
  { context },
) => {
  const jobs = exportJobsOf(context.db);
  jobs.onFailure = (id, error) => {
    app.log.error({ err: error, exportId: id }, 'bulk export failed');
  };
  // A job outlives its request, not the server: stop it (marked failed) before the database closes.
  app.addHook('onClose', () => jobs.stopAll());

  const exportService = (request: FastifyRequest) => request.services.fhirExport;

  const kickOff = async (request: FastifyRequest, groupId: string | null) => {
    requireRespondAsync(request.headers.prefer);
    const { id } = await exportService(request).kickOff({
      query: request.query as Record<string, string | string[]>,
      groupId,
      requestUrl: `${request.protocol}://${request.host}${request.url}`,
    });
    return `${baseUrlOf(request)}/${statusUrlOf(id)}`;
  };

  app.get('/$export', { schema: { querystring: query } }, async (request, reply) =>
    reply
      .status(202)
      .header('content-location', await kickOff(request, null))
      .send(),
  );

  app.get(
    '/Group/:id/$export',
    { schema: { params: z.object({ id: idParam }), querystring: query } },
    async (request, reply) =>
      reply
        .status(202)
        .header('content-location', await kickOff(request, request.params.id))
        .send(),
  );

  app.get(
    '/$export-status/:id',
    { schema: { params: z.object({ id: idParam }) } },
    async (request, reply) => {
      const state = await exportService(request).status(request.params.id, baseUrlOf(request));
      switch (state.state) {
        case 'running':
          return reply
            .status(202)
            .header('x-progress', state.progress)
            .header('retry-after', String(retryAfterSeconds))
            .send();
        case 'completed':
          return reply
            .status(200)
            .header('expires', state.expires.toUTCString())
            .type('application/json; charset=utf-8')
            .send(state.manifest);
        case 'failed':
          return sendFhir(reply, 500, errorOutcome('INTERNAL', state.error));
      }
    },
  );

  app.delete(
    '/$export-status/:id',
    { schema: { params: z.object({ id: idParam }) } },
    async (request, reply) => {
      await exportService(request).cancel(request.params.id);
      return reply.status(202).send();
    },
  );

  app.get(
    '/$export-file/:id/:file',
    { schema: { params: z.object({ id: idParam, file: fileParam }) } },
    async (request, reply) => {
      const { stream, size } = await exportService(request).file(
        request.params.id,
        request.params.file,
      );
      return reply
        .status(200)
        .type(ndjsonMediaType)
        .header('content-length', String(size))
        .header('cache-control', 'no-store')
        .send(stream);
    },
  );
  return Promise.resolve();
};
