import { sql, type Kysely } from 'kysely';

/*
 * Stored care clocks and access verdicts (issue #11, load): the care-gap worklist and the
 * timely-access rates read these tables instead of recomputing the whole region per request.
 * They are derived state, kept in PostgreSQL so that every API replica sees the same, and kept
 * right whoever writes: statement-level triggers on the tables the clocks read only note which
 * patients changed (`patient_dirty`), or that everything did (`patient_clock_state.all_dirty`,
 * for a calendar rewrite or a truncate); the next read recomputes those patients
 * (patient-clocks.repository.ts). The triggers upsert rather than `do nothing`: the upsert waits
 * for a refresh that is deleting the same mark, so a write that commits during a refresh always
 * leaves its mark behind.
 *
 * - `care_clock`: one row per patient, in a course of treatment or not (a patient outside one can
 *   enter it when an attended visit's start passes, or when the clock is set back), computed as
 *   of `computed_at` and unchanged by time alone until `valid_until` (null: until a write).
 * - `access_verdict`: one row per request and standard, independent of time: the outcome and
 *   the instant from which it holds (`-infinity` for what the request's own data decide; the
 *   request for a patient's cancellation; the first visit for a discharge's follow-up). Before
 *   that instant a request is pending until its deadline, then missed.
 */

const markFrom = (rows: string, column: string) =>
  `insert into patient_dirty (patient_id)
     select distinct ${column} from ${rows} where ${column} is not null
   on conflict (patient_id) do update set patient_id = excluded.patient_id;`;

/** A trigger function marking the patients of the changed rows, by a patient-id column. */
const markFunction = (name: string, column: string) =>
  `create function ${name}() returns trigger language plpgsql as $$
   begin
     if tg_op in ('INSERT', 'UPDATE') then ${markFrom('new_rows', column)} end if;
     if tg_op in ('DELETE', 'UPDATE') then ${markFrom('old_rows', column)} end if;
     return null;
   end $$`;

/** Insert, update and delete triggers with transition tables (one event each, as required). */
const rowTriggers = (table: string, fn: string) => [
  `create trigger ${table}_clock_insert after insert on ${table}
     referencing new table as new_rows for each statement execute function ${fn}()`,
  `create trigger ${table}_clock_update after update on ${table}
     referencing old table as old_rows new table as new_rows for each statement execute function ${fn}()`,
  `create trigger ${table}_clock_delete after delete on ${table}
     referencing old table as old_rows for each statement execute function ${fn}()`,
];

const truncateTrigger = (table: string) =>
  `create trigger ${table}_clock_truncate after truncate on ${table}
     for each statement execute function mark_all_patient_clocks()`;

const tracked = ['patient', 'appointment', 'attendance', 'enrollment', 'group_session'];

const statements = [
  `create table patient_dirty (patient_id uuid primary key)`,
  `create table patient_clock_state (
     id boolean primary key default true check (id),
     all_dirty boolean not null
   )`,
  // Every existing patient is stale: the first read computes them all.
  `insert into patient_clock_state (id, all_dirty) values (true, true)`,
  `create table care_clock (
     patient_id uuid primary key,
     in_course boolean not null,
     service_area_id uuid not null,
     specialty text,
     tier text not null,
     rank integer not null,
     last_care_at timestamptz,
     next_care_at timestamptz,
     enrolled_on date,
     discharged_at timestamptz,
     standard text not null,
     deadline timestamptz,
     valid_until timestamptz,
     computed_at timestamptz not null
   )`,
  `create index care_clock_worklist_idx on care_clock (rank, deadline, patient_id)
     where in_course and deadline is not null`,
  `create index care_clock_area_idx on care_clock (service_area_id, rank, deadline, patient_id)
     where in_course and deadline is not null`,
  `create index care_clock_specialty_idx on care_clock (specialty, rank, deadline, patient_id)
     where in_course and deadline is not null`,
  `create index care_clock_valid_until_idx on care_clock (valid_until)`,
  `create index care_clock_computed_idx on care_clock (computed_at)`,
  `create table access_verdict (
     appointment_id uuid,
     patient_id uuid not null,
     standard text not null,
     deadline timestamptz,
     period_at timestamptz not null,
     service_area_id uuid not null,
     specialty text,
     network text not null,
     outcome text not null check (outcome in ('met','excepted','unmet')),
     outcome_at timestamptz,
     check ((outcome = 'unmet') = (outcome_at is null))
   )`,
  `create index access_verdict_period_idx on access_verdict (period_at)`,
  `create index access_verdict_patient_idx on access_verdict (patient_id)`,

  `create function mark_all_patient_clocks() returns trigger language plpgsql as $$
   begin
     update patient_clock_state set all_dirty = true where not all_dirty;
     return null;
   end $$`,
  markFunction('mark_patient_clocks_by_id', 'id'),
  markFunction('mark_patient_clocks_by_patient', 'patient_id'),
  // A session's change moves the next care of the group's active members, and the last care of
  // whoever attended it.
  `create function mark_patient_clocks_by_session() returns trigger language plpgsql as $$
   begin
     if tg_op in ('INSERT', 'UPDATE') then
       insert into patient_dirty (patient_id)
         select e.patient_id from enrollment e
          where e.group_id in (select group_id from new_rows) and e.status = 'active'
         union
         select t.patient_id from attendance t where t.session_id in (select id from new_rows)
       on conflict (patient_id) do update set patient_id = excluded.patient_id;
     end if;
     if tg_op in ('DELETE', 'UPDATE') then
       insert into patient_dirty (patient_id)
         select e.patient_id from enrollment e
          where e.group_id in (select group_id from old_rows) and e.status = 'active'
         union
         select t.patient_id from attendance t where t.session_id in (select id from old_rows)
       on conflict (patient_id) do update set patient_id = excluded.patient_id;
     end if;
     return null;
   end $$`,
  // A clinician's discipline decides the standard of the requests made to them.
  `create function mark_patient_clocks_by_clinician() returns trigger language plpgsql as $$
   begin
     insert into patient_dirty (patient_id)
       select distinct a.patient_id from appointment a
        where a.clinician_id in (select o.id from old_rows o join new_rows n on n.id = o.id
                                  where n.discipline is distinct from o.discipline)
     on conflict (patient_id) do update set patient_id = excluded.patient_id;
     return null;
   end $$`,
  ...rowTriggers('patient', 'mark_patient_clocks_by_id'),
  ...['appointment', 'attendance', 'enrollment'].flatMap((t) =>
    rowTriggers(t, 'mark_patient_clocks_by_patient'),
  ),
  ...rowTriggers('group_session', 'mark_patient_clocks_by_session'),
  `create trigger clinician_clock_update after update on clinician
     referencing old table as old_rows new table as new_rows for each statement
     execute function mark_patient_clocks_by_clinician()`,
  ...tracked.map(truncateTrigger),
  // The calendar is rewritten whole when its holidays change: every deadline may move.
  `create trigger business_day_clock_change after insert or update or delete or truncate
     on business_day for each statement execute function mark_all_patient_clocks()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'drop trigger if exists business_day_clock_change on business_day',
    'drop trigger if exists clinician_clock_update on clinician',
    ...tracked.flatMap((t) =>
      ['insert', 'update', 'delete', 'truncate'].map(
        (e) => `drop trigger if exists ${t}_clock_${e} on ${t}`,
      ),
    ),
    'drop function if exists mark_patient_clocks_by_clinician()',
    'drop function if exists mark_patient_clocks_by_session()',
    'drop function if exists mark_patient_clocks_by_patient()',
    'drop function if exists mark_patient_clocks_by_id()',
    'drop function if exists mark_all_patient_clocks()',
    'drop table if exists access_verdict',
    'drop table if exists care_clock',
    'drop table if exists patient_clock_state',
    'drop table if exists patient_dirty',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
