import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../context.ts';
import { instant } from '../../http/codecs.ts';
import { errorResponses } from '../../http/responses.ts';
import { specialties } from '../vocabulary/vocabulary.domain.ts';

const tags = ['re-matching'];
const cell = z.object({ score: z.number(), rationale: z.string() });
const override = z.strictObject({
  need: z.enum(specialties),
  target: z.enum(specialties),
  score: z.number().min(0).max(1),
  rationale: z.string().trim().min(1).max(500),
});
const storedOverride = z.object({
  need: z.string(),
  target: z.string(),
  score: z.number(),
  rationale: z.string(),
  updatedBy: z.string(),
  updatedAt: instant,
});

export const equivalenceRoutes: FastifyPluginAsyncZod<{ context: Context }> = async (app) => {
  app.get(
    '/equivalence',
    {
      schema: {
        tags,
        summary: 'The specialty-equivalence matrix in use (need → care offered), and the overrides',
        response: {
          200: z.object({
            matrix: z.record(z.enum(specialties), z.record(z.enum(specialties), cell)),
            overrides: z.array(storedOverride),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => request.services.equivalence.get(),
  );

  app.put(
    '/equivalence/overrides',
    {
      schema: {
        tags,
        summary: "Replace the organization's overrides (an empty list restores the defaults)",
        body: z.strictObject({ overrides: z.array(override).max(500) }),
        response: { 200: z.object({ overrides: z.array(storedOverride) }), ...errorResponses },
      },
    },
    async (request) => ({
      overrides: await request.services.equivalence.replace(request.body.overrides),
    }),
  );
  return Promise.resolve();
};
