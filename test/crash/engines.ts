import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createContext, type Context } from '../../src/context.ts';
import { parseConfig } from '../../src/shared/config.ts';
import { testEngines } from '../../src/test/harness.ts';
import { sleep } from './children.ts';

/*
 * Where a crash test keeps its data: the embedded engine in a temporary DATA_DIR, or server
 * PostgreSQL in a schema of its own (made and dropped as the harness does), reached by the child
 * processes through DATABASE_URL and by the test itself for its checks.
 */

/**
 * The key of the advisory lock that serializes audit appends (`audit_append` in
 * src/db/migrations/0012-audit-append.ts, with the schema's name, as lockInSchema takes it).
 * Holding it stops every long write at its last step, its audit event, with all its rows written
 * and nothing committed. If the key changes, the wait
 * for a blocked writer times out with a message that says so.
 */
const auditChainLock = 7_402_113;

export interface CrashEngine {
  name: 'pglite' | 'postgres';
  /** The environment of the `continuity` child processes. */
  env: NodeJS.ProcessEnv;
  /** The embedded engine's lock file. */
  lockFile?: string;
  /** The database, opened by the test itself (closed by the caller). */
  open(): Promise<Context>;
  /**
   * Server PostgreSQL only: holds the audit chain's lock; `blocked(table)` resolves once a child's
   * transaction waits for it while holding a write lock on `table` (so it is in the middle of its
   * writes), with that backend's pid.
   */
  holdAuditChain?(): Promise<{ blocked(table: string): Promise<number>; release(): Promise<void> }>;
  /** Waits until the killed children's database connections are gone (server PostgreSQL). */
  settle(): Promise<void>;
  dispose(): Promise<void>;
}

export function crashEngines(): { name: CrashEngine['name']; make: () => Promise<CrashEngine> }[] {
  const engines: { name: CrashEngine['name']; make: () => Promise<CrashEngine> }[] = [
    { name: 'pglite', make: () => Promise.resolve(embedded()) },
  ];
  const server = testEngines().find((engine) => engine.name === 'postgres');
  if (server) engines.push({ name: 'postgres', make: () => postgres(server.target) });
  return engines;
}

function embedded(): CrashEngine {
  const dataDir = mkdtempSync(join(tmpdir(), 'continuity-crash-'));
  return {
    name: 'pglite',
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' },
    lockFile: join(dataDir, 'continuity.lock'),
    open: () => createContext(parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' })),
    settle: () => Promise.resolve(),
    dispose: () => {
      rmSync(dataDir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

function urlFor(base: string, schema: string, application: string): string {
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  url.searchParams.set('application_name', application);
  return url.toString();
}

async function postgres(
  target: ReturnType<typeof testEngines>[number]['target'],
): Promise<CrashEngine> {
  const made = await target();
  if (made.engine !== 'postgres' || !made.schema) throw new Error('expected a server schema');
  const { url, schema } = made;
  // The children name themselves, so the test can find their connections (and only theirs).
  const application = `crash_${schema}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'continuity-crash-'));
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    name: 'postgres',
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: urlFor(url, schema, application),
      LOG_LEVEL: 'silent',
    },
    open: () =>
      createContext(
        parseConfig({ DATABASE_URL: urlFor(url, schema, 'crash_test'), LOG_LEVEL: 'silent' }),
      ),
    async holdAuditChain() {
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      // The key as lockInSchema takes it: the constant and the schema's name.
      const key = [auditChainLock, schema];
      await holder.query('select pg_advisory_lock($1::int4, hashtext($2))', key);
      let released = false;
      return {
        async blocked(table) {
          for (let waited = 0; waited < 30_000; waited += 50) {
            const rows = await query<{ pid: number }>(
              `select a.pid from pg_stat_activity a
                 join pg_locks l on l.pid = a.pid and l.mode = 'RowExclusiveLock'
                 join pg_class c on c.oid = l.relation and c.relname = $2
                 join pg_namespace n on n.oid = c.relnamespace and n.nspname = $3
                where a.application_name = $1 and a.wait_event_type = 'Lock'
                  and a.wait_event = 'advisory'`,
              [application, table, schema],
            );
            if (rows[0]) return rows[0].pid;
            await sleep(50);
          }
          throw new Error(
            `no transaction writing ${table} came to wait for the audit chain's lock (key ${auditChainLock}): has the key changed?`,
          );
        },
        async release() {
          if (released) return;
          released = true;
          await holder.query('select pg_advisory_unlock($1::int4, hashtext($2))', key);
          await holder.end();
        },
      };
    },
    async settle() {
      // A killed client's backend ends when it next reads the socket and finds it closed; its
      // transaction, never committed, rolls back.
      for (let waited = 0; waited < 30_000; waited += 50) {
        const rows = await query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where application_name = $1',
          [application],
        );
        if (rows[0]?.n === 0) return;
        await sleep(50);
      }
      throw new Error('the killed process still has connections after 30 s');
    },
    async dispose() {
      rmSync(dataDir, { recursive: true, force: true });
      await made.cleanup?.();
    },
  };
}
