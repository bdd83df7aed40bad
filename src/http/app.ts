import fastifyHelmet from '@fastify/helmet';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Context } from '../context.ts';
import { installAuthentication } from './authenticate.ts';
import { compiledSerializer } from './serializer.ts';
import { authRoutes } from '../modules/auth/auth.routes.ts';
import { errorResponseOf, installErrorHandler } from './error-handler.ts';
import { healthRoutes } from './health.routes.ts';
import { installWeb, webBuilt } from './web.ts';
import { serviceAreaRoutes } from '../modules/service-areas/service-areas.routes.ts';
import { groupRoutes } from '../modules/groups/groups.routes.ts';
import { enrollmentRoutes } from '../modules/enrollments/enrollments.routes.ts';
import { locationRoutes } from '../modules/locations/locations.routes.ts';
import { clinicianRoutes } from '../modules/clinicians/clinicians.routes.ts';
import { patientRoutes } from '../modules/patients/patients.routes.ts';
import { outsideProviderRoutes } from '../modules/outside-providers/outside-providers.routes.ts';
import { auditRoutes } from '../modules/audit/audit.routes.ts';
import { aggregateRoutes } from '../modules/aggregates/aggregates.routes.ts';
import { reportRoutes } from '../modules/reports/reports.routes.ts';
import { disruptionRoutes } from '../modules/disruptions/disruptions.routes.ts';
import { matchingRoutes } from '../modules/matching/matching.routes.ts';
import { equivalenceRoutes } from '../modules/matching/equivalence.routes.ts';
import { timelyAccessRoutes } from '../modules/timely-access/timely-access.routes.ts';
import { referralRoutes } from '../modules/referrals/referrals.routes.ts';
import { grievanceRoutes } from '../modules/grievances/grievances.routes.ts';
import { workloadRoutes } from '../modules/workload/workload.routes.ts';
import { fhirPrefix, fhirRoutes } from '../modules/fhir/fhir.routes.ts';
import { errorOutcome, fhirMediaType } from '../modules/fhir/fhir.domain.ts';

export interface AppOptions {
  /**
   * False for no log (most tests). Otherwise pino at LOG_LEVEL (or `level`), to stdout or `stream`.
   */
  logger?: false | { level?: string; stream?: { write(line: string): void } };
}

/** Only what is safe to log of an error: never a database `detail`, which can quote row values. */
function errorSerializer(error: Error & { code?: unknown }) {
  return { type: error.name, code: error.code, message: error.message, stack: error.stack ?? '' };
}

/** Builds the whole HTTP application from a context. It does not listen: server.ts does. */
export async function buildApp(
  context: Context,
  options: AppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: options.logger?.level ?? context.config.LOG_LEVEL,
            serializers: { err: errorSerializer },
            ...(options.logger?.stream ? { stream: options.logger.stream } : {}),
          },
    bodyLimit: 1_048_576,
    trustProxy: context.config.TRUST_PROXY === 'true',
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    routerOptions: { maxParamLength: 200 },
    // The router's own refusals (a bad percent-encoding, an over-long path parameter) answer in
    // the stable error shape too, as an OperationOutcome under /fhir.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { status, body } = errorResponseOf(error, request);
      if (request.url.startsWith('/fhir/'))
        void reply
          .status(status)
          .type(fhirMediaType)
          .send(errorOutcome(body.error.code, body.error.message, []));
      else void reply.status(status).send(body);
    },
    ajv: { customOptions: { coerceTypes: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(compiledSerializer);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const pages = webBuilt();
  installErrorHandler(app, { pages });

  await app.register(fastifyHelmet, {
    // Scripts only from this server; inline styles are allowed because the API documentation page
    // and chart libraries set style attributes. No frames, no plugins, no foreign forms.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Continuity API',
        version: '1',
        description: 'Keeps behavioral-health patients in care when their care is disrupted.',
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await installAuthentication(app, context);
  await app.register(healthRoutes, { context });
  await app.register(
    async (api) => {
      await api.register(authRoutes, { context });
      await api.register(serviceAreaRoutes, { context });
      await api.register(groupRoutes, { context });
      await api.register(enrollmentRoutes, { context });
      await api.register(locationRoutes, { context });
      await api.register(clinicianRoutes, { context });
      await api.register(patientRoutes, { context });
      await api.register(outsideProviderRoutes, { context });
      await api.register(auditRoutes, { context });
      await api.register(aggregateRoutes, { context });
      await api.register(reportRoutes, { context });
      await api.register(disruptionRoutes, { context });
      await api.register(matchingRoutes, { context });
      await api.register(equivalenceRoutes, { context });
      await api.register(timelyAccessRoutes, { context });
      await api.register(referralRoutes, { context });
      await api.register(grievanceRoutes, { context });
      await api.register(workloadRoutes, { context });
    },
    { prefix: '/api/v1' },
  );
  await app.register(fhirRoutes, { context, prefix: fhirPrefix });
  if (pages) await installWeb(app);
  return app;
}
