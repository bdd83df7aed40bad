import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Context } from '../../context.ts';
import { calendarDate, idParams } from '../../http/codecs.ts';
import { errorResponses } from '../../http/responses.ts';
import { editions } from './disruption-report.domain.ts';
import { reportFormats } from './report-formats.ts';

const tags = ['reports'];

const reportQuery = z.strictObject({
  format: z
    .enum(reportFormats)
    .default('json')
    .describe('html prints well; pdf is that page printed by Chromium; csv is one table'),
  edition: z
    .enum(editions)
    .default('deidentified')
    .describe(
      'deidentified (no names, small cells withheld) for anyone with aggregates:read; full needs reports:full',
    ),
  asOf: z
    .union([calendarDate, z.iso.datetime({ offset: true })])
    .optional()
    .describe(
      'The data as of an instant, or the end of a day in the organization time zone (default: now)',
    ),
  table: z
    .string()
    .regex(/^[a-z-]{1,40}$/)
    .optional()
    .describe('For csv: which table (default summary); the 400 answer lists them'),
});

/** Reports for the regulator and the public. */
export const reportRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.get(
    '/reports/disruptions/:id',
    {
      schema: {
        tags,
        summary:
          'The disruption continuity report: what happened to the displaced patients, every figure with its numerator, denominator and definition',
        params: idParams,
        querystring: reportQuery,
        description:
          'Answers text/html, application/pdf, text/csv or application/json, with the SHA-256 of the file in X-Content-SHA256.',
        response: {
          200: z.unknown().describe('The report file, in the format asked for'),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { format, edition, asOf, table } = request.query;
      const { files } = await request.services.reports.disruption(request.params.id, {
        format,
        edition,
        asOf,
        table,
      });
      const [file] = files;
      if (!file) throw new Error('a report has one file per table asked for');
      return reply
        .type(file.mediaType)
        .header(
          'content-disposition',
          `${format === 'html' ? 'inline' : 'attachment'}; filename="${file.filename}"`,
        )
        .header('x-content-sha256', file.fileSha256)
        .header('cache-control', 'no-store')
        .send(file.body);
    },
  );
  return Promise.resolve();
};
