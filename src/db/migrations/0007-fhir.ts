import { sql, type Kysely } from 'kysely';

/*
 * FHIR R4: identifiers from other systems (an EHR's own ids), so that importing the same Bundle
 * again finds what the first import made; and bulk export jobs, so that any replica can answer a
 * job's status.
 */

const statements = [
  `create table external_identifier (
    resource_type text not null check (resource_type ~ '^[A-Z][A-Za-z]{1,63}$'),
    system text not null check (length(system) between 1 and 500),
    value text not null check (length(value) between 1 and 500),
    entity_id uuid not null,
    created_at timestamptz not null default now(),
    primary key (resource_type, system, value)
  )`,
  `create index external_identifier_entity_idx on external_identifier (resource_type, entity_id)`,
  `create table bulk_export (
    id uuid primary key,
    requested_by text not null,
    request_url text not null check (length(request_url) <= 2000),
    types text[] not null,
    since timestamptz,
    group_id uuid,
    status text not null default 'in_progress' check (status in ('in_progress','completed','failed','cancelled')),
    transaction_time timestamptz not null,
    output jsonb not null default '[]',
    progress jsonb not null default '{}',
    error text check (error is null or length(error) <= 500),
    created_at timestamptz not null default now(),
    completed_at timestamptz
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table if exists bulk_export').execute(db);
  await sql.raw('drop table if exists external_identifier').execute(db);
}
