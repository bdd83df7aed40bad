import { errorBody } from './codecs.ts';

/** The error responses every API route may give, for the OpenAPI description. */
export const errorResponses = {
  400: errorBody,
  404: errorBody,
  409: errorBody,
} as const;
