import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { errorResponses } from '../../http/responses.ts';
import { AppError } from '../../shared/errors.ts';
import { directoryLimits, entriesWord, maxBytesText } from './directory.domain.ts';
import {
  directoryFormatQuery,
  exportBody,
  importBody,
  importReportSchema,
} from './directory.schemas.ts';

const tags = ['outside providers'];

/**
 * The body of an import as text, whatever its type (CSV or JSON), read here rather than by the
 * app's JSON parser so that the service parses it and reports its problems row by row. Past the
 * limit it stops reading and answers 413 naming the limit.
 */
async function readText(_request: FastifyRequest, payload: AsyncIterable<Buffer>) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of payload) {
    bytes += chunk.length;
    if (bytes > directoryLimits.maxBytes)
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `The file is larger than the ${maxBytesText} an import takes. Split it.`,
        { maxBytes: directoryLimits.maxBytes },
      );
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Import and export of the whole directory. Its own plugin, so its body parsers stay its own. */
export const directoryRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['text/csv', 'application/json', 'text/plain'], readText);

  app.post(
    '/outside-providers/import',
    {
      bodyLimit: directoryLimits.maxBytes,
      schema: {
        tags,
        querystring: directoryFormatQuery,
        body: importBody,
        response: {
          200: importReportSchema,
          ...errorResponses,
          413: errorResponses[400],
          422: errorResponses[400].describe(
            'Rows were rejected: details is the report, and nothing was written',
          ),
        },
      },
    },
    async (request) => {
      const report = await request.services.outsideProviders.importDirectory(
        request.query.format,
        request.body,
      );
      if (!report.committed)
        throw new AppError(
          'UNPROCESSABLE',
          `${report.rejected.length} of ${report.rows} ${entriesWord(report.format)} were rejected, so nothing was imported; details.rejected says why.`,
          { ...report },
        );
      return report;
    },
  );

  app.get(
    '/outside-providers/export',
    {
      schema: {
        tags,
        querystring: directoryFormatQuery,
        response: { 200: exportBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { format } = request.query;
      const text = await request.services.outsideProviders.exportDirectory(format);
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="outside-providers.${format === 'csv' ? 'csv' : 'json'}"`,
        )
        .send(text);
    },
  );
  return Promise.resolve();
};
