import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../context.ts';
import { fhirMediaType } from './fhir.domain.ts';

/** The largest Bundle one request may carry; the CLI splits larger inputs. */
export const importBodyLimit = 64 * 1024 * 1024;

/** `POST /fhir/R4` with a transaction or batch Bundle. */
export const importRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.post(
    '/',
    { bodyLimit: importBodyLimit, schema: { body: z.unknown() } },
    async (request, reply) =>
      reply
        .status(200)
        .type(`${fhirMediaType}; charset=utf-8`)
        .send(await request.services.fhirImport.importBundle(request.body)),
  );
  return Promise.resolve();
};
