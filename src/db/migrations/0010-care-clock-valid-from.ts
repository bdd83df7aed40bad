import { sql, type Kysely } from 'kysely';

/*
 * A care clock's validity has a lower edge too: `valid_from`, the last instant at or before its
 * computation at which time alone changed it (the last care, the last booked or scheduled care
 * that started, a discharge's edges, a visit leaving the 90 days). A read whose `now` falls
 * between it and `valid_until` may use the row as it is. Before, any row computed after `now` was
 * recomputed: under load a request that took its time a few milliseconds before another's refresh
 * recomputed what that refresh had just written, and after a refresh of every patient each such
 * request recomputed them all again.
 */

const statements = [
  `alter table care_clock add column valid_from timestamptz`,
  `create index care_clock_valid_from_idx on care_clock (valid_from)`,
  `drop index if exists care_clock_computed_idx`,
  // The rows stored so far have no lower edge: compute them again.
  `update patient_clock_state set all_dirty = true`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw('create index if not exists care_clock_computed_idx on care_clock (computed_at)')
    .execute(db);
  await sql.raw('drop index if exists care_clock_valid_from_idx').execute(db);
  await sql.raw('alter table care_clock drop column if exists valid_from').execute(db);
}
