import { sql, type Kysely } from 'kysely';

/*
 * Sign-in and audit: lockout counters on users, CSRF tokens and addresses on sessions, a log of
 * login attempts (rate limits that every replica sees), and an append-only audit trail whose rows
 * the application cannot change or delete.
 */

const statements = [
  `alter table app_user
     add column failed_logins integer not null default 0 check (failed_logins >= 0),
     add column locked_until timestamptz,
     add column last_login_at timestamptz,
     add column version integer not null default 1,
     add column updated_at timestamptz not null default now()`,
  `alter table user_session
     add column csrf_token text not null,
     add column ip text,
     add check (expires_at > created_at)`,
  `create index user_session_user_idx on user_session (user_id)`,
  `alter table api_token add column last_used_at timestamptz`,
  `create table login_attempt (
     id bigint generated always as identity primary key,
     at timestamptz not null,
     email text not null,
     ip text not null,
     success boolean not null
   )`,
  `create index login_attempt_ip_idx on login_attempt (ip, at)`,
  `create index login_attempt_email_idx on login_attempt (email, at)`,
  `alter table audit_event
     add column ip text,
     add column outcome text not null default 'allowed' check (outcome in ('allowed','denied'))`,
  `create index audit_event_actor_idx on audit_event (actor, at)`,
  `create index audit_event_entity_idx on audit_event (entity, entity_id)`,
  `create index audit_event_at_idx on audit_event (at)`,
  `create function audit_event_append_only() returns trigger language plpgsql as $$
   begin
     raise exception 'audit_event is append-only: % is not allowed', tg_op
       using errcode = 'insufficient_privilege';
   end $$`,
  `create trigger audit_event_no_update_or_delete before update or delete on audit_event
     for each row execute function audit_event_append_only()`,
  `create trigger audit_event_no_truncate before truncate on audit_event
     for each statement execute function audit_event_append_only()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'drop trigger if exists audit_event_no_truncate on audit_event',
    'drop trigger if exists audit_event_no_update_or_delete on audit_event',
    'drop function if exists audit_event_append_only()',
    'alter table audit_event drop column outcome, drop column ip',
    'drop table if exists login_attempt',
    'alter table api_token drop column last_used_at',
    'alter table user_session drop column ip, drop column csrf_token',
    'alter table app_user drop column updated_at, drop column version, drop column last_login_at, drop column locked_until, drop column failed_logins',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
