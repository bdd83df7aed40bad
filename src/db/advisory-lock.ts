import { sql } from 'kysely';
import type { Db } from './database.ts';

/**
 * Takes a transaction-scoped advisory lock for `key` in this schema only: the schema's name is the
 * lock's second half, so databases that share one PostgreSQL server in different schemas (tests,
 * benchmarks, tenants) never queue on each other's locks. Released when the transaction ends.
 */
export async function lockInSchema(db: Db, key: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(${key}::int4, hashtext(current_schema()))`.execute(db);
}
