import { sql, type Kysely } from 'kysely';

/*
 * Disruptions and re-matching: when a disruption was applied and ended, the plan's review state,
 * and a seat limit the database itself enforces.
 *
 * The seat limit: `therapy_group.seats_taken` counts the group's active enrollments, kept by
 * statement-level triggers on enrollment, which refuse (SQLSTATE 23514, constraint
 * `therapy_group_seats_within_capacity`) any change that takes a seat beyond `capacity`. Two
 * transactions that take the last seat both update the group's row: the second waits for the
 * first, re-reads the count, and is refused. No code path (a commit, an enrollment, a bulk seed)
 * can over-fill a group, however they race.
 */

const statements = [
  `alter table therapy_group
     add column seats_taken integer not null default 0 check (seats_taken >= 0)`,
  `update therapy_group g set seats_taken =
     (select count(*) from enrollment e where e.group_id = g.id and e.status = 'active')`,
  // Applies per-group changes in active enrollments, and refuses any that takes a seat the group
  // does not have. Shrinking a group's capacity below its members is allowed (nobody is removed);
  // only new seats are refused. The UPDATE takes the group's row lock, so racing seat-takers queue
  // there and each sees the count the one before it left.
  `create function apply_seat_changes(changes jsonb) returns void language plpgsql as $$
   declare
     full_group uuid;
   begin
     with d as (
       select (c->>'group_id')::uuid as group_id, (c->>'delta')::integer as delta
         from jsonb_array_elements(changes) c
     ), changed as (
       update therapy_group g set seats_taken = g.seats_taken + d.delta
         from d where g.id = d.group_id and d.delta <> 0
       returning g.id, g.seats_taken, g.capacity, d.delta
     )
     select id into full_group from changed where delta > 0 and seats_taken > capacity limit 1;
     if full_group is not null then
       raise exception 'therapy group % has no open seat', full_group
         using errcode = 'check_violation', constraint = 'therapy_group_seats_within_capacity',
               table = 'therapy_group';
     end if;
   end $$`,
  // Transition tables need one trigger per event.
  `create function enrollment_seats_inserted() returns trigger language plpgsql as $$
   begin
     perform apply_seat_changes(coalesce((
       select jsonb_agg(jsonb_build_object('group_id', group_id, 'delta', n))
         from (select group_id, count(*) as n from new_rows where status = 'active'
                group by group_id order by group_id) x), '[]'));
     return null;
   end $$`,
  `create function enrollment_seats_updated() returns trigger language plpgsql as $$
   begin
     perform apply_seat_changes(coalesce((
       select jsonb_agg(jsonb_build_object('group_id', group_id, 'delta', n))
         from (select group_id, sum(delta) as n from (
                 select group_id, 1 as delta from new_rows where status = 'active'
                 union all
                 select group_id, -1 as delta from old_rows where status = 'active') c
                group by group_id order by group_id) x), '[]'));
     return null;
   end $$`,
  `create function enrollment_seats_deleted() returns trigger language plpgsql as $$
   begin
     perform apply_seat_changes(coalesce((
       select jsonb_agg(jsonb_build_object('group_id', group_id, 'delta', -n))
         from (select group_id, count(*) as n from old_rows where status = 'active'
                group by group_id order by group_id) x), '[]'));
     return null;
   end $$`,
  `create trigger enrollment_seats_on_insert after insert on enrollment
     referencing new table as new_rows
     for each statement execute function enrollment_seats_inserted()`,
  `create trigger enrollment_seats_on_update after update on enrollment
     referencing old table as old_rows new table as new_rows
     for each statement execute function enrollment_seats_updated()`,
  `create trigger enrollment_seats_on_delete after delete on enrollment
     referencing old table as old_rows
     for each statement execute function enrollment_seats_deleted()`,

  `alter table disruption
     add column applied_at timestamptz,
     add column ended_at timestamptz,
     add check ((status = 'draft') = (applied_at is null)),
     add check ((status = 'ended') = (ended_at is not null))`,

  `alter table match_run
     add column created_by text not null default 'unknown',
     add column solve_ms integer not null default 0 check (solve_ms >= 0)`,
  `create index match_run_disruption_idx on match_run (disruption_id, created_at)`,
  `alter table match_proposal
     add column rank integer not null default 0 check (rank >= 0),
     add column tier text not null default 'standard',
     add column conflict text check (conflict is null or length(conflict) <= 500),
     add column decided_by text,
     add column decided_at timestamptz,
     add column committed_entity text check (committed_entity is null or committed_entity in ('enrollment','referral','appointment')),
     add column committed_id uuid,
     add column version integer not null default 1,
     add check ((committed_id is not null) = (decision = 'committed' and option <> 'unmatched')),
     add check (option = 'unmatched' or target_id is not null)`,
  `create index match_proposal_run_rank_idx on match_proposal (run_id, rank)`,
  // The organization's changes to the shipped specialty-equivalence matrix (equivalence.domain.ts).
  `create table equivalence_override (
     need text not null,
     target text not null,
     score double precision not null check (score between 0 and 1),
     rationale text not null check (length(rationale) between 1 and 500),
     updated_by text not null,
     updated_at timestamptz not null default now(),
     primary key (need, target)
   )`,
  `create unique index referral_proposal_unique on referral (proposal_id) where proposal_id is not null`,
  `alter table appointment add column proposal_id uuid references match_proposal(id)`,
  `create unique index appointment_proposal_unique on appointment (proposal_id) where proposal_id is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'drop table if exists equivalence_override',
    'drop index if exists appointment_proposal_unique',
    'alter table appointment drop column if exists proposal_id',
    'drop index if exists referral_proposal_unique',
    'drop index if exists match_proposal_run_rank_idx',
    `alter table match_proposal drop column rank, drop column tier, drop column conflict,
       drop column decided_by, drop column decided_at, drop column committed_entity,
       drop column committed_id, drop column version`,
    'drop index if exists match_run_disruption_idx',
    'alter table match_run drop column created_by, drop column solve_ms',
    'alter table disruption drop column applied_at, drop column ended_at',
    'drop trigger if exists enrollment_seats_on_delete on enrollment',
    'drop trigger if exists enrollment_seats_on_update on enrollment',
    'drop trigger if exists enrollment_seats_on_insert on enrollment',
    'drop function if exists enrollment_seats_deleted()',
    'drop function if exists enrollment_seats_updated()',
    'drop function if exists enrollment_seats_inserted()',
    'drop function if exists apply_seat_changes(jsonb)',
    'alter table therapy_group drop column seats_taken',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
