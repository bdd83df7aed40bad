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

/** A stored value and a wanted one are the same: instants by time, arrays as sets, JSON by content. */
function sameValue(stored: unknown, wanted: unknown): boolean {
  if (stored instanceof Date || wanted instanceof Date)
    return (
      stored instanceof Date && wanted instanceof Date && stored.getTime() === wanted.getTime()
    );
  if (Array.isArray(stored) && Array.isArray(wanted))
    return (
      canonical((stored as unknown[]).map(canonical).sort()) ===
      canonical((wanted as unknown[]).map(canonical).sort())
    );
  if (
    typeof stored === 'object' &&
    stored !== null &&
    typeof wanted === 'object' &&
    wanted !== null
  )
    return canonical(stored) === canonical(wanted);
  return stored === wanted;
}

/** JSON with object keys in order, so two equal objects give one text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** Whether a row already holds every wanted column value (undefined means "leave as it is"). */
export function sameColumns(
  current: Record<string, unknown>,
  wanted: Record<string, unknown>,
): boolean {
  return Object.entries(wanted).every(
    ([name, value]) => value === undefined || sameValue(current[name], value),
  );
}

type WrittenColumns<T extends VersionedTable> = Partial<
  Omit<Selectable<Database[T]>, 'id' | 'version' | 'created_at' | 'updated_at'>
>;

/**
 * Writes one row as an import does: creates it with `id` when there is none and `create` gives its
 * columns ('absent' when it does not), else locks it and updates only the columns that differ
 * (`update` sees the current row), bumping the version; nothing differing is 'unchanged', so
 * writing the same values twice changes nothing. Throws DUPLICATE, UNKNOWN_REFERENCE or
 * CONSTRAINT_VIOLATED when the database refuses the values.
 */
export async function writeVersioned<T extends VersionedTable>(
  db: Db,
  table: T,
  id: string,
  write: {
    create: WrittenColumns<T>;
    update: (current: Selectable<Database[T]>) => WrittenColumns<T>;
  },
): Promise<'created' | 'updated' | 'unchanged'>;
export async function writeVersioned<T extends VersionedTable>(
  db: Db,
  table: T,
  id: string,
  write: {
    create: WrittenColumns<T> | undefined;
    update: (current: Selectable<Database[T]>) => WrittenColumns<T>;
  },
): Promise<'created' | 'updated' | 'unchanged' | 'absent'>;
export async function writeVersioned<T extends VersionedTable>(
  db: Db,
  table: T,
  id: string,
  write: {
    create: WrittenColumns<T> | undefined;
    update: (current: Selectable<Database[T]>) => WrittenColumns<T>;
  },
): Promise<'created' | 'updated' | 'unchanged' | 'absent'> {
  // As in updateVersioned: the signature keeps callers honest where Kysely cannot.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const anyDb = db as unknown as Kysely<any>;
  const current = (await anyDb
    .selectFrom(table as string)
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()) as Selectable<Database[T]> | undefined;
  if (!current) {
    if (!write.create) return 'absent';
    const values = { id, ...write.create };
    await withDbErrors(() =>
      anyDb
        .insertInto(table as string)
        .values(values)
        .execute(),
    );
    return 'created';
  }
  const wanted = write.update(current) as Record<string, unknown>;
  const stored = current as Record<string, unknown>;
  const changed = Object.fromEntries(
    Object.entries(wanted).filter(
      ([name, value]) => value !== undefined && !sameValue(stored[name], value),
    ),
  );
  if (Object.keys(changed).length === 0) return 'unchanged';
  await withDbErrors(() =>
    anyDb
      .updateTable(table as string)
      .set({ ...changed, version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute(),
  );
  return 'updated';
}
