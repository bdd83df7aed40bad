import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import { AppError, notFound } from '../shared/errors.ts';
import type { Database, Db } from './database.ts';
import { withDbErrors } from './errors.ts';

/** Tables whose rows carry an id and a version for optimistic concurrency. */
export type VersionedTable = {
  [K in keyof Database]: Database[K] extends { id: string; version: unknown } ? K : never;
}[keyof Database];

/**
 * Updates one row only if it is still at `version`, and bumps the version. A stale version answers
 * VERSION_CONFLICT with the current one, so a concurrent change is never lost silently; an unknown
 * id answers NOT_FOUND.
 */
export async function updateVersioned<T extends VersionedTable>(
  db: Db,
  table: T,
  id: string,
  version: number,
  patch: Updateable<Database[T]>,
): Promise<Selectable<Database[T]>> {
  // Kysely cannot type a query over a table chosen by a type parameter; the signature above is
  // what keeps callers honest.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const anyDb = db as unknown as Kysely<any>;
  const updated: unknown = await withDbErrors(() =>
    anyDb
      .updateTable(table as string)
      .set({
        ...(patch as Record<string, unknown>),
        version: sql`version + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirst(),
  );
  if (updated) return updated as Selectable<Database[T]>;
  const current: { version: number } | undefined = await anyDb
    .selectFrom(table as string)
    .select('version')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!current) throw notFound(table, id);
  throw versionConflict(table, id, version, current.version);
}

/**
 * VERSION_CONFLICT for a row read at another version than the caller's. Services that lock a row
 * and check it before changing it throw this too, so the answer is the same from every path.
 */
export function versionConflict(
  entity: string,
  id: string,
  expectedVersion: number,
  currentVersion: number,
): AppError {
  return new AppError(
    'VERSION_CONFLICT',
    `The ${entity} was changed by someone else; reload and try again.`,
    { id, expectedVersion, currentVersion },
  );
}
