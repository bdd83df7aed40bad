import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { connectDatabase } from './connect.ts';
import type { Database } from './database.ts';
import { migrateToLatest } from './migrate.ts';

/*
 * Backup and restore of the embedded database: PGlite's own dump of its data folder (a gzipped
 * tar of the Postgres files), written whole or not at all, and loaded into an empty data folder.
 * Server PostgreSQL is backed up with pg_dump and pg_restore (README.md).
 */

export interface TableCounts {
  [table: string]: number;
}

/** Every table of the schema (but Kysely's own) and its row count. */
export async function tableCounts(db: Kysely<Database>): Promise<TableCounts> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE'
       and table_name not like 'kysely_%'
     order by table_name`.execute(db);
  const counts: TableCounts = {};
  for (const { table_name } of rows) {
    const result = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(table_name)}`.execute(db);
    counts[table_name] = result.rows[0]?.n ?? 0;
  }
  return counts;
}

const hasDatabase = (dataDir: string): boolean => {
  const files = join(dataDir, 'pglite');
  return existsSync(files) && readdirSync(files).length > 0;
};

/**
 * Writes the embedded database in `dataDir` to `out` (through a temporary file renamed into
 * place, so a failed backup leaves no partial file). The data folder is locked meanwhile: a
 * running server must be stopped first. Returns the file's size and SHA-256 and the row counts.
 */
export async function backupDataDir(
  dataDir: string,
  out: string,
): Promise<{ bytes: number; sha256: string; tables: TableCounts }> {
  if (!hasDatabase(dataDir))
    throw new Error(`There is no embedded database in ${dataDir} to back up.`);
  const handle = await connectDatabase({ engine: 'pglite', dataDir });
  try {
    const tables = await tableCounts(handle.db);
    if (!handle.dumpDataDir) throw new Error('The embedded engine cannot dump its data folder.');
    const body = Buffer.from(await (await handle.dumpDataDir()).arrayBuffer());
    const partial = `${out}.partial`;
    writeFileSync(partial, body);
    renameSync(partial, out);
    return { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex'), tables };
  } finally {
    await handle.close();
  }
}

/**
 * Loads a backup into `dataDir`, which must hold no database yet, and brings it up to this
 * version's migrations. Returns the row counts. On any failure the data folder is left empty.
 */
export async function restoreDataDir(
  file: string,
  dataDir: string,
): Promise<{ tables: TableCounts; migrated: string[] }> {
  if (hasDatabase(dataDir))
    throw new Error(
      `${dataDir} already holds a database: restore into an empty data folder (move this one away first).`,
    );
  const body = readFileSync(file);
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b)
    throw new Error(`${file} is not a Continuity backup (a gzipped PGlite data folder).`);
  let handle: Awaited<ReturnType<typeof connectDatabase>> | undefined;
  try {
    handle = await connectDatabase({ engine: 'pglite', dataDir, template: new Blob([body]) });
    const { applied } = await migrateToLatest(handle.db);
    return { tables: await tableCounts(handle.db), migrated: applied };
  } catch (error) {
    await handle?.close();
    handle = undefined;
    rmSync(join(dataDir, 'pglite'), { recursive: true, force: true });
    throw error;
  } finally {
    await handle?.close();
  }
}
