import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';

/** Each table's row count and a digest of its content. */
export type Snapshot = Record<string, { rows: number; md5: string | null }>;

/**
 * What a refused request may legitimately write, left out of the snapshot:
 * - `audit_event` rows with outcome `denied`: a refused attempt on patient data (an anonymous
 *   caller on a patients or enrollments route) is audited on purpose, in a transaction of its own
 *   that commits although the request fails. Every `allowed` event stays in the digest, so a
 *   refused request that audits a read or a write it never made still shows.
 * - `audit_event` rows of a provider-directory import that was refused (`detail.committed` false):
 *   the directory service records the attempt on purpose (directory.service.ts), with its counts
 *   of rejected rows, although nothing was imported.
 * - `api_token.last_used_at`: the authenticator stamps a token each time it is used (at most
 *   every few minutes), which is what the fuzzer's administrator token does on every request.
 * Everything else, in every table, must be byte for byte what it was.
 */
const rowsOf: Record<string, (table: string) => ReturnType<typeof sql>> = {
  audit_event: (t) =>
    sql`select * from ${sql.table(t)}
         where outcome <> 'denied'
           and not (action = 'outside_provider.import' and detail->>'committed' = 'false')`,
  api_token: (t) =>
    sql`select id, user_id, name, token_hash, created_at, revoked_at from ${sql.table(t)}`,
};

/** Row counts and md5 digests of every table of the current schema (Kysely's own aside). */
export async function snapshot(db: Kysely<Database>): Promise<Snapshot> {
  const { rows: tables } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE'
       and table_name not like 'kysely_%'
     order by table_name`.execute(db);
  const result: Snapshot = {};
  for (const { table_name: table } of tables) {
    const rows = rowsOf[table]?.(table) ?? sql`select * from ${sql.table(table)}`;
    const { rows: digest } = await sql<{ rows: number; md5: string | null }>`
      select count(*)::int as rows, md5(string_agg(r::text, ',' order by r::text)) as md5
        from (${rows}) r`.execute(db);
    result[table] = digest[0] ?? { rows: 0, md5: null };
  }
  return result;
}
