import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';

/** Bulk Data export (being built): kick-off, status, files. */
// eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async by contract.
export const exportRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  const pending = () => {
    throw new AppError('UNAVAILABLE', 'Bulk export is not ready yet.');
  };
  app.get('/$export', pending);
  app.get('/Group/:id/$export', pending);
  app.get('/$export-status/:id', pending);
  app.delete('/$export-status/:id', pending);
  app.get('/$export-file/:id/:file', pending);
};
