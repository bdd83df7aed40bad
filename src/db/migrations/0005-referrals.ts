import { sql, type Kysely } from 'kysely';

/*
 * Closed-loop referrals: when a referral was sent and must be answered, when it was accepted (it
 * then takes one of the provider's weekly places), the first appointment, why it was declined,
 * and outreach attempts tied to it and to who recorded them.
 */

const statements = [
  `alter table referral
     add column sent_at timestamptz,
     add column response_due_at timestamptz,
     add column accepted_at timestamptz,
     add column first_appointment_at timestamptz,
     add column decline_reason text check (decline_reason is null
       or decline_reason in ('no_capacity','not_eligible','patient_not_reachable','other')),
     add check ((status = 'declined') = (decline_reason is not null)),
     add check (status not in ('scheduled','completed','no_show') or first_appointment_at is not null),
     add check (status in ('draft','cancelled') or sent_at is not null)`,
  `create index referral_provider_idx on referral (provider_id, status)`,
  `alter table outreach
     add column referral_id uuid references referral(id),
     add column recorded_by text not null default 'unknown',
     add column note text check (note is null or length(note) <= 500)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'alter table outreach drop column note, drop column recorded_by, drop column referral_id',
    'drop index if exists referral_provider_idx',
    `alter table referral drop column decline_reason, drop column first_appointment_at,
       drop column accepted_at, drop column response_due_at, drop column sent_at`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
