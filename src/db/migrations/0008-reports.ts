import { sql, type Kysely } from 'kysely';

/*
 * Reports: a report issued is recorded in the audit trail with the SHA-256 of its file and of its
 * content; these indexes find the issue again when a copy is verified, without reading the trail.
 */

const statements = [
  `create index audit_event_report_file_idx on audit_event ((detail->>'fileSha256'))
     where action = 'report.issue'`,
  `create index audit_event_report_content_idx on audit_event ((detail->>'contentSha256'))
     where action = 'report.issue'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop index if exists audit_event_report_content_idx').execute(db);
  await sql.raw('drop index if exists audit_event_report_file_idx').execute(db);
}
