import { sql, type Kysely } from 'kysely';

/*
 * Timely access: the closures an operator adds to the business-day calendar, and the calendar
 * itself as a table, so that deadlines in business days are computed in SQL (a year of a region's
 * requests is too many to load into Node.js). `business_day.ordinal` counts business days up to
 * and including `day`: the n-th business day after a date d is the business day whose ordinal is
 * ordinal(d) + n. The table is rewritten from the calendar code whenever its holidays change
 * (`calendar_state.fingerprint`).
 */

const statements = [
  `create table calendar_closure (
     day date primary key,
     reason text not null check (length(reason) between 1 and 200),
     added_by text not null,
     added_at timestamptz not null default now()
   )`,
  `create table business_day (
     day date primary key,
     business boolean not null,
     ordinal integer not null check (ordinal >= 0)
   )`,
  `create index business_day_ordinal_idx on business_day (ordinal) where business`,
  `create table calendar_state (
     id boolean primary key default true check (id),
     fingerprint text not null,
     time_zone text not null,
     from_year integer not null,
     to_year integer not null,
     updated_at timestamptz not null default now()
   )`,
  `create index appointment_requested_idx on appointment (requested_at)`,
  // A request's prior appointment: the patient's last one attended before it.
  `create index appointment_attended_idx on appointment (patient_id, starts_at)
     where status = 'attended'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'drop index if exists appointment_attended_idx',
    'drop index if exists appointment_requested_idx',
    'drop table if exists calendar_state',
    'drop table if exists business_day',
    'drop table if exists calendar_closure',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
