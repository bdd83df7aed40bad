import { sql } from 'kysely';
import { coreTables, type Db } from '../../db/database.ts';

export type CoreCounts = Record<(typeof coreTables)[number], number>;

/** Row counts of the core entities, in one round trip. */
export async function countCoreRows(db: Db): Promise<CoreCounts> {
  const selects = coreTables.map(
    (table) => sql`(select count(*) from ${sql.table(table)})::int as ${sql.ref(table)}`,
  );
  const result = await sql<CoreCounts>`select ${sql.join(selects)}`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('The count query returned no row.');
  return row;
}
