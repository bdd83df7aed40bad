/*
 * The one way the dashboard talks to the server: the public /api/v1, with the session cookie, and
 * the CSRF token the server gave at sign-in on every unsafe request. Errors arrive as ApiError with
 * the API's stable code and message, which the pages show as they are.
 */

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let csrfToken: string | null = null;

/** Set from the sign-in and `GET /auth/me` answers; cleared on sign-out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Listeners told when the server says the session has ended (the app shows the expired page). */
const sessionEndedListeners = new Set<() => void>();
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

export type Query = Record<
  string,
  string | number | boolean | null | undefined | readonly string[]
>;

/** A query string from the values that are set; lists are comma-separated, as the API takes them. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export async function api<T>(
  path: string,
  options: {
    method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
    body?: unknown;
    query?: Query;
  } = {},
): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}${queryString(options.query)}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw new ApiError(
      0,
      'NETWORK',
      'The server cannot be reached. Check the connection and try again.',
    );
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let payload: unknown = null;
  try {
    payload = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(
      response.status,
      'BAD_RESPONSE',
      `The server answered ${response.status} without JSON.`,
    );
  }
  if (!response.ok) {
    const error = (
      payload as { error?: { code?: string; message?: string; details?: unknown } } | null
    )?.error;
    const apiError = new ApiError(
      response.status,
      error?.code ?? 'UNKNOWN',
      error?.message ?? `The server answered ${response.status}.`,
      error?.details,
    );
    if (apiError.code === 'SESSION_EXPIRED')
      for (const listener of sessionEndedListeners) listener();
    throw apiError;
  }
  return payload as T;
}

/** A cursor-paged list, as every list endpoint answers. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
