import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import type { Database } from './database.ts';
import * as core from './migrations/0001-core.ts';
import * as authAudit from './migrations/0002-auth-audit.ts';
import * as rematch from './migrations/0003-rematch.ts';
import * as timelyAccess from './migrations/0004-timely-access.ts';
import * as referrals from './migrations/0005-referrals.ts';
import * as grievances from './migrations/0006-grievances.ts';
import * as fhir from './migrations/0007-fhir.ts';
import * as reports from './migrations/0008-reports.ts';
import * as patientClocks from './migrations/0009-patient-clocks.ts';
import * as careClockValidFrom from './migrations/0010-care-clock-valid-from.ts';
import * as patientSearch from './migrations/0011-patient-search.ts';
import * as auditAppend from './migrations/0012-audit-append.ts';
import * as credentialNotify from './migrations/0013-credential-notify.ts';
import * as auditLists from './migrations/0014-audit-lists.ts';

/** Every migration, in order. Names sort; a new one is added at the end and never edited after it lands. */
const migrations: Record<string, Migration> = {
  '0001-core': core,
  '0002-auth-audit': authAudit,
  '0003-rematch': rematch,
  '0004-timely-access': timelyAccess,
  '0005-referrals': referrals,
  '0006-grievances': grievances,
  '0007-fhir': fhir,
  '0008-reports': reports,
  '0009-patient-clocks': patientClocks,
  '0010-care-clock-valid-from': careClockValidFrom,
  '0011-patient-search': patientSearch,
  '0012-audit-append': auditAppend,
  '0013-credential-notify': credentialNotify,
  '0014-audit-lists': auditLists,
};

export interface MigrationReport {
  applied: string[];
}

/** Applies every pending migration in one run. Throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationReport> {
  // Name the schema: without it Kysely finds a migration table in any schema on the search path's
  // server, and two databases sharing a server (test schemas) would take each other's lock.
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  );
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('No current schema: check the search_path of DATABASE_URL.');
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableSchema: schema,
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  const failed = result.results?.find((r) => r.status === 'Error');
  if (result.error !== undefined || failed) {
    const name = failed?.migrationName ?? 'unknown';
    throw new Error(`Migration ${name} failed: ${String(result.error)}`, { cause: result.error });
  }
  return { applied: (result.results ?? []).map((r) => r.migrationName) };
}
