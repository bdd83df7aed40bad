import { sql, type RawBuilder } from 'kysely';
import { lockInSchema } from '../../db/advisory-lock.ts';
import type { Db } from '../../db/database.ts';
import { clocksSql } from './care-gaps.repository.ts';
import { verdictRowsSql } from './timely-access.repository.ts';

/*
 * Keeps care_clock and access_verdict (migrations 0009, 0010) current. Triggers note the patients
 * whose data changed (patient_dirty), or that all did (patient_clock_state.all_dirty); time alone
 * makes a care clock stale at its `valid_until`, and a read at a `now` before its `valid_from`
 * (a request that took its time just before another's refresh; a clock set back, in tests)
 * finds it stale too. A refresh recomputes exactly those patients, with the same SQL as
 * the live worklist and verdicts, in a transaction of its own under a per-schema advisory lock,
 * before a read of the stored rows. When nothing is stale it is one indexed query, without the
 * lock: readers do not queue on each other.
 */

/** A constant key for the advisory lock that lets one refresh run at a time in a schema. */
const refreshLockKey = 0x434c4b31;

/** Past this many stale patients, recomputing everyone is cheaper than a list of ids. */
const wholeRefreshAbove = 20_000;

export interface RefreshStats {
  /** Patients whose care clock was recomputed (every patient for a whole refresh). */
  clocks: number;
  /** Patients whose verdicts were recomputed. */
  verdicts: number;
  whole: boolean;
}

/**
 * Statistics for the tables the clocks read, after a bulk load (a seed): the first refresh
 * computes every patient, and plans made for empty tables would take minutes.
 */
export async function analyzeClockInputs(db: Db): Promise<void> {
  await sql`analyze patient, appointment, attendance, enrollment, group_session, business_day`.execute(
    db,
  );
}

/**
 * Whether anything is stale: four index probes. Written as min and max, which the planner reads
 * from the end of an index whatever its statistics say (PGlite has no autovacuum: without
 * statistics, `exists (... where valid_until <= now)` was a scan of every clock, 100 ms).
 */
async function anythingStale(db: Db, now: Date): Promise<boolean> {
  const { rows } = await sql<{ stale: boolean }>`
    select coalesce((select all_dirty from patient_clock_state), true)
        or exists (select 1 from patient_dirty)
        or coalesce((select min(valid_until) from care_clock) <= ${now}, false)
        or coalesce((select max(valid_from) from care_clock) > ${now}, false) as stale`.execute(db);
  return rows[0]?.stale ?? true;
}

const clockColumns = sql`patient_id, in_course, service_area_id, specialty, tier, rank,
  last_care_at, next_care_at, enrolled_on, discharged_at, standard, deadline, valid_from,
  valid_until`;
const verdictColumns = sql`appointment_id, patient_id, standard, deadline, period_at,
  service_area_id, specialty, network, outcome, outcome_at`;

async function writeClocks(
  trx: Db,
  which: RawBuilder<boolean>,
  now: Date,
  timeZone: string,
): Promise<number> {
  const result = await sql`
    insert into care_clock (${clockColumns}, computed_at)
    select ${clockColumns}, ${now}::timestamptz from (${clocksSql(which, now, timeZone)}) c`.execute(
    trx,
  );
  return Number(result.numAffectedRows ?? 0);
}

async function writeVerdicts(trx: Db, which: RawBuilder<boolean>, timeZone: string) {
  // In period order: a month's rates then read a stretch of the table, not a page in every few.
  await sql`
    insert into access_verdict (${verdictColumns})
    select ${verdictColumns} from (${verdictRowsSql(which, null, timeZone)}) v
     order by period_at`.execute(trx);
}

/**
 * Recomputes the stored care clocks and verdicts that are stale at `now` (the real time: a
 * report as of an earlier day still refreshes at now and reads at its own time). Runs its own
 * transaction, so `db` must not be one; call it before reading care_clock or access_verdict.
 */
export async function refreshPatientClocks(
  db: Db,
  now: Date,
  timeZone: string,
): Promise<RefreshStats> {
  if (!(await anythingStale(db, now))) return { clocks: 0, verdicts: 0, whole: false };
  const stats = await db.transaction().execute(async (trx) => {
    await lockInSchema(trx, refreshLockKey);
    const all = await sql<{ all_dirty: boolean }>`
      update patient_clock_state set all_dirty = false where all_dirty
      returning true as all_dirty`.execute(trx);
    const dirty = (
      await sql<{ patient_id: string }>`delete from patient_dirty returning patient_id`.execute(trx)
    ).rows.map((r) => r.patient_id);
    if (all.rows.length > 0 || dirty.length > wholeRefreshAbove) {
      // Truncated, not deleted: a whole refresh leaves compact tables, not one dead row per row.
      // Readers wait for it either way (the lock above).
      await sql`truncate care_clock, access_verdict`.execute(trx);
      const clocks = await writeClocks(trx, sql<boolean>`true`, now, timeZone);
      await writeVerdicts(trx, sql<boolean>`true`, timeZone);
      return { clocks, verdicts: clocks, whole: true };
    }
    const expired = (
      await sql<{ patient_id: string }>`
        select patient_id from care_clock where valid_until <= ${now}
        union
        select patient_id from care_clock where valid_from > ${now}`.execute(trx)
    ).rows.map((r) => r.patient_id);
    const clockIds = [...new Set([...dirty, ...expired])];
    if (clockIds.length > 0) {
      await sql`delete from care_clock where patient_id = any(${clockIds}::uuid[])`.execute(trx);
      await writeClocks(trx, sql<boolean>`p.id = any(${clockIds}::uuid[])`, now, timeZone);
    }
    // Verdicts do not depend on time: only the patients whose data changed.
    if (dirty.length > 0) {
      await sql`delete from access_verdict where patient_id = any(${dirty}::uuid[])`.execute(trx);
      await writeVerdicts(trx, sql<boolean>`p.id = any(${dirty}::uuid[])`, timeZone);
    }
    return { clocks: clockIds.length, verdicts: dirty.length, whole: false };
  });
  // After a whole refresh: statistics for the new tables, the marks' dead rows gone, and the
  // visibility map set for index-only reads. Autovacuum would do it in time on a server;
  // nothing does on PGlite.
  if (stats.whole)
    await sql`vacuum (analyze) patient_dirty, care_clock, access_verdict`.execute(db);
  return stats;
}
