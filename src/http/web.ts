import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `vite build` puts the dashboard (web/dist). */
export const webRoot = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * Serves the dashboard at / when it has been built: its files, and index.html for any other page
 * address the browser asks for (the app routes on the client). API, FHIR and documentation
 * addresses never fall back to it.
 */
export async function installWeb(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: webRoot,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
  });
}

/** Whether the dashboard has been built (`npm run build:web`; `npm start` does it when needed). */
export function webBuilt(): boolean {
  return existsSync(`${webRoot}index.html`);
}

/** Whether a request that found no route is a page of the dashboard. */
export function isPageRequest(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0] ?? '';
  if (/^\/(api|fhir|docs|healthz|readyz)(\/|$)/.test(path)) return false;
  return (request.headers.accept ?? '').includes('text/html');
}

export function sendPage(reply: FastifyReply) {
  return reply.type('text/html; charset=utf-8').sendFile('index.html');
}
