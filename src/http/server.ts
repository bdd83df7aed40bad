import type { Context } from '../context.ts';
import { buildApp } from './app.ts';

/**
 * Listens on HOST:PORT and closes cleanly on SIGINT/SIGTERM: in-flight requests finish, then the
 * database is closed (PGlite flushes to disk).
 */
export async function startServer(
  context: Context,
): Promise<{ url: string; stop(): Promise<void> }> {
  const app = await buildApp(context);
  await app.listen({ host: context.config.HOST, port: context.config.PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : context.config.PORT;
  const host = context.config.HOST.includes(':') ? `[${context.config.HOST}]` : context.config.HOST;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await app.close();
      await context.close();
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down');
      void stop().then(() => process.exit(0));
    });
  }
  return { url: `http://${host}:${port}`, stop };
}
