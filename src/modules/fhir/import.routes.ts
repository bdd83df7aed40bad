import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';

/** Transaction and batch Bundles (being built). */
// eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async by contract.
export const importRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.post('/', () => {
    throw new AppError('UNAVAILABLE', 'Import is not ready yet.');
  });
};
