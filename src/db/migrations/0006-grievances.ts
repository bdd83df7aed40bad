import { sql, type Kysely } from 'kysely';

/*
 * Grievances: what the patient said (a summary, and free-text notes that never reach a log), the
 * expedited duties (telling the patient at once that they may go to DMHC; a written disposition
 * or status within 3 days), and where an open grievance is pending, for the quarterly report.
 */

const statements = [
  `alter table grievance
     add column summary text not null default '' check (length(summary) <= 2000),
     add column notes text check (notes is null or length(notes) <= 20000),
     add column pending_with text not null default 'plan'
       check (pending_with in ('plan','medical_group','provider','regulator')),
     add column regulator_notice_at timestamptz,
     add column disposition_sent_at timestamptz,
     add column withdrawn_at timestamptz,
     add column received_by text not null default 'unknown',
     add check ((status = 'resolved') = (resolved_at is not null)),
     add check (status <> 'resolved' or resolution is not null),
     add check ((status = 'withdrawn') = (withdrawn_at is not null))`,
  `create index grievance_open_idx on grievance (status, received_at) where status in ('received','acknowledged')`,
  `create index grievance_disruption_idx on grievance (disruption_id) where disruption_id is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'drop index if exists grievance_disruption_idx',
    'drop index if exists grievance_open_idx',
    `alter table grievance drop column received_by, drop column withdrawn_at,
       drop column disposition_sent_at, drop column regulator_notice_at, drop column pending_with,
       drop column notes, drop column summary`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
