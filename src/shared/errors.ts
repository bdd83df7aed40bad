/**
 * The one catalogue of application errors. Each code is stable: clients may rely on it.
 * The HTTP status for each code is mapped here and nowhere else.
 */
export const errorCatalogue = {
  VALIDATION_FAILED: 400,
  BAD_CURSOR: 400,
  UNKNOWN_REFERENCE: 400,
  CONSTRAINT_VIOLATED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  SESSION_EXPIRED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  VERSION_CONFLICT: 409,
  DUPLICATE: 409,
  GROUP_FULL: 409,
  ALREADY_ENROLLED: 409,
  INVALID_TRANSITION: 409,
  REFERENCED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorCatalogue;

/** Details never carry patient data: field paths, ids and limits only. */
export type ErrorDetails = Record<string, unknown> | readonly unknown[];

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorCatalogue[this.code];
  }
}

export function notFound(entity: string, id: string): AppError {
  return new AppError('NOT_FOUND', `No ${entity} with id ${id}.`, { entity, id });
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
