import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';
import { AppError, errorCatalogue, type ErrorCode } from '../shared/errors.ts';
import { translateDbError } from '../db/errors.ts';
import { isPageRequest, sendPage } from './web.ts';

export interface ErrorResponse {
  error: { code: ErrorCode; message: string; details?: unknown };
}

function body(code: ErrorCode, message: string, details?: unknown): ErrorResponse {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Fastify's own 4xx errors (bad JSON, wrong content type, too large) mapped to stable codes. */
function frameworkError(error: FastifyError): ErrorResponse | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return body('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return body('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return body('VALIDATION_FAILED', 'The JSON body is empty.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return body('VALIDATION_FAILED', 'The body is not valid JSON.');
    default:
      break;
  }
  if (error instanceof SyntaxError) return body('VALIDATION_FAILED', 'The body is not valid JSON.');
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    if (status === 429) return body('RATE_LIMITED', 'Too many requests; slow down.');
    if (status === 413) return body('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    if (status === 415) return body('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    return body('VALIDATION_FAILED', 'The request is not well formed.');
  }
  return undefined;
}

/**
 * The one place errors become HTTP responses: `{ error: { code, message, details } }`.
 * Validation errors name the bad field; a 5xx never says more than "internal error", and the log
 * carries the request id and the error, never the request body.
 */
export function errorResponseOf(
  rawError: FastifyError,
  request: FastifyRequest,
): { status: number; body: ErrorResponse } {
  if (hasZodFastifySchemaValidationErrors(rawError)) {
    const issues = rawError.validation.map((issue) => ({
      field: [rawError.validationContext, ...issue.instancePath.split('/').filter(Boolean)].join(
        '.',
      ),
      problem: issue.message,
    }));
    const first = issues[0];
    return {
      status: 400,
      body: body(
        'VALIDATION_FAILED',
        first ? `Invalid ${first.field}: ${first.problem}` : 'Invalid request.',
        { issues },
      ),
    };
  }
  const error = translateDbError(rawError);
  if (error instanceof AppError) {
    return {
      status: errorCatalogue[error.code],
      body: body(error.code, error.message, error.details),
    };
  }
  if (!isResponseSerializationError(rawError)) {
    const mapped = frameworkError(rawError);
    if (mapped) return { status: errorCatalogue[mapped.error.code], body: mapped };
  }
  request.log.error({ err: rawError }, 'unhandled error');
  return {
    status: 500,
    body: body('INTERNAL', 'Internal error. The request id is in the x-request-id header.'),
  };
}

export function installErrorHandler(app: FastifyInstance, options: { pages?: boolean } = {}): void {
  app.setErrorHandler((rawError: FastifyError, request, reply) => {
    const { status, body: response } = errorResponseOf(rawError, request);
    return reply.status(status).send(response);
  });

  app.setNotFoundHandler((request, reply) =>
    // The dashboard routes on the client: any other page address gets its index.html.
    options.pages && isPageRequest(request)
      ? sendPage(reply)
      : reply
          .status(404)
          .send(
            body(
              'ROUTE_NOT_FOUND',
              `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`,
            ),
          ),
  );
}
