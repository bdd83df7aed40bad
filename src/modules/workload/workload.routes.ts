import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../context.ts';
import { errorResponses } from '../../http/responses.ts';

const clinicianWeek = z.object({
  clinicianId: z.uuid(),
  name: z.string(),
  serviceAreaId: z.uuid(),
  contractedHours: z.number(),
  directCareHours: z.number(),
  groupHours: z.number(),
  groupHoursWithPrep: z.number(),
  protectedHours: z.number(),
  protectedTarget: z.number(),
  belowProtectedTarget: z.boolean(),
  patientsByDay: z.record(z.string(), z.number().int()),
  busyDays: z.array(z.string()).describe('Days with more than 10 patients seen.'),
});

export const workloadRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.get(
    '/workload',
    {
      schema: {
        tags: ['workload'],
        summary:
          'Clinician workload for an ISO week: direct care, group hours with preparation, patients a day, protected time',
        querystring: z.strictObject({
          week: z
            .string()
            .regex(/^\d{4}-W\d{2}$/)
            .describe('An ISO week, e.g. 2025-W10.'),
          area: z.uuid().optional(),
          prepFactor: z.coerce
            .number()
            .min(0)
            .max(3)
            .optional()
            .describe('Preparation and documentation per group hour; default 0.5.'),
          target: z.coerce
            .number()
            .min(0)
            .max(40)
            .optional()
            .describe(
              'Protected hours a week outside appointments; default 7 (DOMAIN.md also gives 5).',
            ),
        }),
        response: {
          200: z.object({
            week: z.string(),
            monday: z.string(),
            prepFactor: z.number(),
            protectedTarget: z.number(),
            clinicians: z.array(clinicianWeek),
            areas: z.array(
              z.object({
                serviceAreaId: z.uuid(),
                clinicians: z.number().int(),
                directCareHours: z.number(),
                protectedHours: z.number(),
                belowProtectedTarget: z.number().int(),
                busyDays: z.number().int(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) =>
      request.services.workload.week({
        week: request.query.week,
        serviceAreaId: request.query.area,
        prepFactor: request.query.prepFactor,
        protectedTarget: request.query.target,
      }),
  );
  return Promise.resolve();
};
