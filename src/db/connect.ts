import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { listenOnServer, type ListenCallbacks, type Listener } from './notifications.ts';
import { PGliteDialect } from './pglite-dialect.ts';

/** Where the data lives: the embedded engine (a folder, or memory) or a PostgreSQL server. */
export type DatabaseTarget =
  | {
      engine: 'pglite';
      /** A folder, or 'memory' for a throw-away database. */
      dataDir: string;
      /** A data folder dumped by PGlite to start from (tests: an already migrated database). */
      template?: Blob;
    }
  | { engine: 'postgres'; url: string; schema?: string };

export interface DatabaseHandle {
  db: Kysely<Database>;
  engine: DatabaseTarget['engine'];
  /** The embedded engine's files as a gzipped tar (PGlite's own format), for a backup. */
  dumpDataDir?: () => Promise<Blob>;
  /** Listens for NOTIFY on `channel` (on a connection of its own, for a server). */
  listen(channel: string, callbacks: ListenCallbacks): Promise<Listener>;
  close(): Promise<void>;
}

// Both engines return the same JavaScript values: dates as 'YYYY-MM-DD', counts and numerics as numbers.
const OID = { int8: 20, date: 1082, numeric: 1700 } as const;
const parsers: Record<number, (value: string) => unknown> = {
  [OID.int8]: Number,
  [OID.date]: (value) => value,
  [OID.numeric]: Number,
};

/** pg's type parser lookup, with ours first. */
const pgTypeParser = ((oid: number, format?: 'text' | 'binary') =>
  parsers[oid] ??
  (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(
    oid,
    format,
  )) as typeof pg.types.getTypeParser;

export async function connectDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  switch (target.engine) {
    case 'pglite': {
      const inMemory = target.dataDir === 'memory';
      if (!inMemory) mkdirSync(target.dataDir, { recursive: true });
      const unlock = inMemory ? () => undefined : lockDataDir(target.dataDir);
      try {
        // The Postgres files live in a subfolder that PGlite owns; the lock file stays outside it.
        const dataDir = inMemory ? 'memory://' : join(target.dataDir, 'pglite');
        const pglite = await PGlite.create(dataDir, {
          parsers,
          ...(target.template ? { loadDataDir: target.template } : {}),
        });
        const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
        const close = async () => {
          await db.destroy();
          unlock();
        };
        // One process holds the engine: a notification cannot be missed while it is open.
        const listen = async (channel: string, callbacks: ListenCallbacks): Promise<Listener> => {
          const unlisten = await pglite.listen(channel, callbacks.notify);
          callbacks.listening(true);
          return {
            async close() {
              callbacks.listening(false);
              if (!pglite.closed) await unlisten();
            },
          };
        };
        return {
          db,
          engine: 'pglite',
          dumpDataDir: () => pglite.dumpDataDir('gzip'),
          listen,
          close,
        };
      } catch (error) {
        unlock();
        throw error;
      }
    }
    case 'postgres': {
      const connection = {
        connectionString: target.url,
        ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
      };
      const pool = new pg.Pool({ ...connection, max: 10, types: { getTypeParser: pgTypeParser } });
      const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
      // Fail now, with a clear reason, rather than on the first request.
      await sql`select 1`.execute(db);
      const listen = (channel: string, callbacks: ListenCallbacks) =>
        Promise.resolve(listenOnServer(connection, channel, callbacks));
      return { db, engine: 'postgres', listen, close: () => db.destroy() };
    }
  }
}
