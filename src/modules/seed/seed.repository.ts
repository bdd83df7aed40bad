import { CompiledQuery, sql } from 'kysely';
import { lockInSchema } from '../../db/advisory-lock.ts';
import type { Db, NewRow } from '../../db/database.ts';
import type { RowBatch, SeedTable, SeedTables } from './rows.domain.ts';

/*
 * Bulk loading of a generated region: multi-row INSERTs, the same SQL on PGlite and server
 * PostgreSQL. Services open the transaction; these functions run inside it.
 */

type Expect<T extends true> = T;
/**
 * Compile-time proof that every generated row is insertable into its table: if a row type
 * drifts from the schema, this stops type-checking.
 */
export type SeedRowsAreInsertable = Expect<
  { [T in SeedTable]: SeedTables[T] extends NewRow<T> ? true : false }[SeedTable]
>;

/** PostgreSQL's wire protocol numbers bind parameters with 16 bits. */
export const maxBindParameters = 65_535;

/**
 * Rows per INSERT for a table with `columns` columns: as many as the bind-parameter limit allows,
 * capped (a statement of tens of thousands of rows gains nothing and costs memory to build).
 */
export function rowsPerStatement(columns: number, cap = 5_000): number {
  return Math.max(1, Math.min(cap, Math.floor(maxBindParameters / columns)));
}

const statements = new Map<string, string>();

/**
 * The text of a multi-row INSERT of `rows` rows. The row values are plain data, so the text
 * depends only on the table, the columns and the row count: it is built once and reused, which
 * spares building a query tree of hundreds of thousands of nodes per statement.
 */
function insertText(table: SeedTable, columns: readonly string[], rows: number): string {
  const key = `${table} ${rows} ${columns.join(',')}`;
  let text = statements.get(key);
  if (!text) {
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++)
      tuples.push(`(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
    const names = columns.map((column) => `"${column}"`).join(', ');
    text = `insert into "${table}" (${names}) values ${tuples.join(', ')}`;
    statements.set(key, text);
  }
  return text;
}

/**
 * Inserts rows of one table with as few statements as the bind-parameter limit allows. Run
 * through Kysely's executor, as a compiled query: the same on PGlite and PostgreSQL.
 */
export async function insertRows<T extends SeedTable>(
  db: Db,
  table: T,
  rows: readonly SeedTables[T][],
  cap?: number,
): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first) as (keyof SeedTables[T] & string)[];
  const size = rowsPerStatement(columns.length, cap);
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    const parameters: unknown[] = [];
    for (const row of chunk) for (const column of columns) parameters.push(row[column]);
    await db.executeQuery(CompiledQuery.raw(insertText(table, columns, chunk.length), parameters));
  }
}

/**
 * Inserts a stream of batches in order, merging consecutive batches of the same table into
 * statements as large as `rowsPerStatement` allows. One statement is in flight while the next is
 * being generated, so the generator's work overlaps the database's (on a server). Order is kept,
 * so foreign keys hold. `onInserted` is called after each statement completes.
 */
export async function insertBatches(
  db: Db,
  batches: Iterable<RowBatch>,
  onInserted: (table: SeedTable, rows: number) => void,
  cap?: number,
): Promise<void> {
  let table: SeedTable | undefined;
  let pending: unknown[] = [];
  let limit = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (table === undefined || pending.length === 0) return;
    const [rows, of] = [pending as SeedTables[SeedTable][], table];
    pending = [];
    await inFlight;
    inFlight = insertRows(db, of, rows, cap).then(() => {
      onInserted(of, rows.length);
    });
    // Awaited at the next flush or at the end; marked handled so a failure surfaces there only.
    inFlight.catch(() => undefined);
  };
  for (const batch of batches) {
    const first = batch.rows[0];
    if (!first) continue;
    if (batch.table !== table) {
      await flush();
      table = batch.table;
      limit = rowsPerStatement(Object.keys(first).length, cap);
    }
    for (const row of batch.rows) pending.push(row);
    if (pending.length >= limit) await flush();
  }
  await flush();
  await inFlight;
}

/** Whether the catalogue already holds anything: any service area or any outside provider. */
export async function hasCatalogue(db: Db): Promise<boolean> {
  const result = await sql<{ present: boolean }>`
    select exists (select 1 from service_area) or exists (select 1 from outside_provider) as present`.execute(
    db,
  );
  return result.rows[0]?.present ?? false;
}

/**
 * Serializes seeding: a second seed waits here until the first commits or rolls back, then sees
 * its rows. Released with the transaction.
 */
export async function lockSeeding(db: Db): Promise<void> {
  await lockInSchema(db, seedLockKey);
}

/** An arbitrary constant naming the seed lock ("CONT" in ASCII). */
const seedLockKey = 0x434f4e54;

/**
 * Deletes the whole catalogue and everything that refers to patients, groups or providers
 * (appointments, referrals, proposals, grievances, outreach, disruptions). Users are kept, with
 * their clinician link cleared; the audit trail is append-only and is kept too.
 * TRUNCATE without CASCADE fails if a table not listed here references these: nothing is removed
 * silently.
 */
export async function deleteCatalogue(db: Db): Promise<void> {
  await sql`truncate referral, match_proposal, match_run, outreach, grievance, appointment,
    attendance, enrollment, group_session, group_facilitator, therapy_group, disruption, patient,
    outside_provider`.execute(db);
  await db.updateTable('app_user').set({ clinician_id: null }).execute();
  await db.deleteFrom('clinician').execute();
  await db.deleteFrom('location').execute();
  await db.deleteFrom('service_area').execute();
}
