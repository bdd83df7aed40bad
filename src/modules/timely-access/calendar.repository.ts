import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import type { BusinessDayRow, LocalDate } from './calendar.domain.ts';

export interface Closure {
  day: LocalDate;
  reason: string;
  addedBy: string;
  addedAt: Date;
}

export async function listClosures(db: Db): Promise<Closure[]> {
  const rows = await db.selectFrom('calendar_closure').selectAll().orderBy('day').execute();
  return rows.map((r) => ({
    day: r.day,
    reason: r.reason,
    addedBy: r.added_by,
    addedAt: r.added_at,
  }));
}

/** Throws DUPLICATE when the day is already closed. */
export async function insertClosure(
  db: Db,
  closure: { day: LocalDate; reason: string; addedBy: string },
): Promise<Closure> {
  const row = await withDbErrors(() =>
    db
      .insertInto('calendar_closure')
      .values({ day: closure.day, reason: closure.reason, added_by: closure.addedBy })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return { day: row.day, reason: row.reason, addedBy: row.added_by, addedAt: row.added_at };
}

/** Returns whether a closure was removed. */
export async function deleteClosure(db: Db, day: LocalDate): Promise<boolean> {
  const result = await db.deleteFrom('calendar_closure').where('day', '=', day).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * What the calendar is made of, in one round trip: the closed days in order, and the fingerprint
 * of the calendar business_day was last written for (null before the first).
 */
export async function calendarInputs(
  db: Db,
): Promise<{ closures: LocalDate[]; fingerprint: string | null }> {
  const { rows } = await sql<{ closures: LocalDate[]; fingerprint: string | null }>`
    select coalesce((select array_agg(day::text order by day) from calendar_closure), '{}')
             as closures,
           (select fingerprint from calendar_state) as fingerprint`.execute(db);
  return rows[0] ?? { closures: [], fingerprint: null };
}

export async function calendarFingerprint(db: Db): Promise<string | null> {
  const row = await db.selectFrom('calendar_state').select('fingerprint').executeTakeFirst();
  return row?.fingerprint ?? null;
}

/**
 * Rewrites the business_day table, in the caller's transaction, under an exclusive lock so that
 * two rewrites queue; skips the work when another already wrote this fingerprint.
 */
export async function writeBusinessDays(
  trx: Db,
  state: { fingerprint: string; timeZone: string; fromYear: number; toYear: number },
  rows: readonly BusinessDayRow[],
): Promise<void> {
  await sql`lock table business_day in exclusive mode`.execute(trx);
  if ((await calendarFingerprint(trx)) === state.fingerprint) return;
  await trx.deleteFrom('business_day').execute();
  for (let i = 0; i < rows.length; i += 2000)
    await trx
      .insertInto('business_day')
      .values(rows.slice(i, i + 2000))
      .execute();
  // Statistics for the new rows: without them server PostgreSQL plans each business-day lookup
  // of the clocks as a join of the whole calendar.
  await sql`analyze business_day`.execute(trx);
  await trx
    .insertInto('calendar_state')
    .values({
      id: true,
      fingerprint: state.fingerprint,
      time_zone: state.timeZone,
      from_year: state.fromYear,
      to_year: state.toYear,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        fingerprint: state.fingerprint,
        time_zone: state.timeZone,
        from_year: state.fromYear,
        to_year: state.toYear,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}
