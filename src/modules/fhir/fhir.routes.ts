import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../context.ts';
import { errorResponseOf } from '../../http/error-handler.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import { exportRoutes } from './export.routes.ts';
import { errorOutcome, fhirMediaType } from './fhir.domain.ts';
import { importRoutes } from './import.routes.ts';

/*
 * The FHIR R4 endpoint. Sign-in, roles and audit are those of /api/v1 (the same hooks and the
 * same services); only the shapes differ: FHIR JSON in and out, errors as OperationOutcome.
 */

export const fhirPrefix = '/fhir/R4';

const typeParam = z.string().regex(/^[A-Z][A-Za-z]{1,63}$/, 'a FHIR resource type');
const idParam = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'a FHIR id');
const query = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/** The server's own address, for the links FHIR clients follow. */
export { sendFhir };

export function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${fhirPrefix}`;
}

function sendFhir(reply: FastifyReply, status: number, resource: unknown) {
  return reply.status(status).type(`${fhirMediaType}; charset=utf-8`).send(resource);
}

function parseJson(
  _request: FastifyRequest,
  body: string,
  done: (err: Error | null, value?: unknown) => void,
) {
  try {
    done(null, JSON.parse(body) as unknown);
  } catch (error) {
    done(error as SyntaxError);
  }
}

export async function fhirRoutes(app: FastifyInstance, { context }: { context: Context }) {
  const fhir = app.withTypeProvider<ZodTypeProvider>();

  fhir.addContentTypeParser(
    ['application/fhir+json', 'application/json'],
    { parseAs: 'string' },
    parseJson,
  );
  fhir.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      const params: Record<string, string[]> = {};
      for (const [name, value] of new URLSearchParams(body as string))
        (params[name] ??= []).push(value);
      done(null, params);
    },
  );

  fhir.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = errorResponseOf(error, request);
    const issues = (body.error.details as { issues?: unknown } | undefined)?.issues;
    const named = Array.isArray(issues)
      ? issues.flatMap((i: { field?: unknown; problem?: unknown }) =>
          typeof i.field === 'string' && typeof i.problem === 'string'
            ? [{ field: i.field, problem: i.problem }]
            : [],
        )
      : [];
    return sendFhir(reply, status, errorOutcome(body.error.code, body.error.message, named));
  });
  fhir.setNotFoundHandler((request, reply) =>
    sendFhir(
      reply,
      404,
      errorOutcome(
        'ROUTE_NOT_FOUND' satisfies ErrorCode,
        `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`,
      ),
    ),
  );

  await fhir.register(importRoutes, { context });
  await fhir.register(exportRoutes, { context });

  fhir.get('/metadata', async (request, reply) =>
    sendFhir(reply, 200, request.services.fhir.capability(baseUrlOf(request))),
  );

  fhir.get(
    '/:type',
    { schema: { params: z.object({ type: typeParam }), querystring: query } },
    async (request, reply) =>
      sendFhir(
        reply,
        200,
        await request.services.fhir.search(request.params.type, request.query, baseUrlOf(request)),
      ),
  );

  fhir.post(
    '/:type/_search',
    {
      schema: {
        params: z.object({ type: typeParam }),
        body: query.nullish().transform((b) => b ?? {}),
      },
    },
    async (request, reply) =>
      sendFhir(
        reply,
        200,
        await request.services.fhir.search(
          request.params.type,
          request.body,
          baseUrlOf(request),
          true,
        ),
      ),
  );

  fhir.get(
    '/:type/:id',
    { schema: { params: z.object({ type: typeParam, id: idParam }) } },
    async (request, reply) =>
      sendFhir(
        reply,
        200,
        await request.services.fhir.read(request.params.type, request.params.id),
      ),
  );
}
