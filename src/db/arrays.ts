import { sql, type RawBuilder } from 'kysely';

/**
 * A list of ids as one `uuid[]` parameter: `where id = any(${uuidArray(ids)})` stays one
 * parameter however long the list, where `in (…)` would take one each (Postgres takes 65,535).
 */
export const uuidArray = (ids: readonly string[]): RawBuilder<string[]> => sql`${[...ids]}::uuid[]`;
