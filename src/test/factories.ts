import type { FastifyInstance } from 'fastify';

let counter = 0;
/** A short unique suffix for test data that must not collide (codes, NPIs, MRNs). */
export function unique(): number {
  counter += 1;
  return counter;
}

export function buildServiceArea(overrides: Record<string, unknown> = {}) {
  const n = unique();
  return {
    code: `SA${n}`,
    name: `Service area ${n}`,
    lat: 34.17,
    lon: -118.6,
    members: 250_000,
    ...overrides,
  };
}

/** POSTs through the API and returns the created resource, failing loudly otherwise. */
export async function create<T = Record<string, unknown>>(
  app: FastifyInstance,
  path: string,
  payload: Record<string, unknown>,
): Promise<T & { id: string; version: number }> {
  const response = await app.inject({ method: 'POST', url: `/api/v1${path}`, payload });
  if (response.statusCode !== 201) {
    throw new Error(`POST ${path} answered ${response.statusCode}: ${response.body}`);
  }
  return response.json();
}
