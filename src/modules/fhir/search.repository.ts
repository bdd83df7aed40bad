import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import { systems, type ServedType } from './fhir.domain.ts';
import {
  valuesOf,
  type DateValue,
  type ParsedSearch,
  type ReferenceValue,
  type TokenValue,
} from './search.domain.ts';

/*
 * Search values as SQL conditions, shared by every type's repository. A column is given as a
 * raw reference (sql.ref('patient.id')), so one helper serves every table.
 */

export type Condition = RawBuilder<SqlBool>;
export type Column = RawBuilder<unknown>;

export const col = (name: string): Column => sql.ref(name);

export const all = (conditions: readonly Condition[]): Condition =>
  conditions.length === 0
    ? sql<SqlBool>`true`
    : sql<SqlBool>`(${sql.join(conditions, sql` and `)})`;

export const any = (conditions: readonly Condition[]): Condition =>
  conditions.length === 0
    ? sql<SqlBool>`false`
    : sql<SqlBool>`(${sql.join(conditions, sql` or `)})`;

/** A parameter's occurrences ANDed, each one's alternatives ORed. */
export function each<V>(occurrences: V[][], one: (value: V) => Condition): Condition[] {
  return occurrences.map((alternatives) => any(alternatives.map(one)));
}

/** A date search against a point in time (or a day, kept as a 'YYYY-MM-DD' text column). */
export function dateCondition(column: Column, { prefix, start, end }: DateValue): Condition {
  switch (prefix) {
    case 'eq':
      return sql<SqlBool>`(${column} >= ${start} and ${column} < ${end})`;
    case 'ne':
      return sql<SqlBool>`(${column} < ${start} or ${column} >= ${end})`;
    case 'gt':
    case 'sa':
      return sql<SqlBool>`${column} >= ${end}`;
    case 'ge':
      return sql<SqlBool>`${column} >= ${start}`;
    case 'lt':
    case 'eb':
      return sql<SqlBool>`${column} < ${start}`;
    case 'le':
      return sql<SqlBool>`${column} < ${end}`;
  }
}

/** A date search against a 'YYYY-MM-DD' date column. */
export function dayCondition(column: Column, value: DateValue): Condition {
  return dateCondition(sql`(${column})::timestamp at time zone 'UTC'`, value);
}

/**
 * A token against a code column: `system` must be the one given for the column (or absent).
 * A token in another system matches nothing.
 */
export function codeCondition(
  column: Column,
  system: string,
  { system: given, code }: TokenValue,
): Condition {
  if (given !== undefined && given !== system) return sql<SqlBool>`false`;
  return sql<SqlBool>`${column} = ${code}`;
}

/** A token against a text[] column of codes. */
export function codeArrayCondition(
  column: Column,
  system: string,
  { system: given, code }: TokenValue,
): Condition {
  if (given !== undefined && given !== system) return sql<SqlBool>`false`;
  return sql<SqlBool>`${code} = any(${column})`;
}

/** Whether a reference's id can be a uuid (any case), so that casting it cannot fail. */
export const isUuidText = (id: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** A reference parameter against an id column: the type, if given, must be one the column holds. */
export function referenceCondition(
  column: Column,
  types: readonly ServedType[],
  { type, id }: ReferenceValue,
): Condition {
  if (type !== null && !(types as readonly string[]).includes(type)) return sql<SqlBool>`false`;
  if (!isUuidText(id)) return sql<SqlBool>`false`;
  return sql<SqlBool>`${column} = ${id.toLowerCase()}::uuid`;
}

/** A string search: starts with, case-insensitive; `:exact` compares whole. */
export function stringCondition(column: Column, value: string, exact: boolean): Condition {
  if (exact) return sql<SqlBool>`${column} = ${value}`;
  const pattern = `${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`${column} ilike ${pattern}`;
}

export interface IdentifierColumns {
  type: ServedType;
  /** The uuid id column. */
  id: Column;
  /** Natural identifiers held in columns (MRN, NPI, service-area code). */
  natural?: readonly { system: string; column: Column }[];
}

/** An identifier search: the Continuity id, a natural identifier, or one kept from another system. */
export function identifierCondition(
  on: IdentifierColumns,
  { system, code }: TokenValue,
): Condition {
  const options: Condition[] = [];
  if (system === undefined || system === systems.uri) {
    const id = /^urn:uuid:([0-9a-f-]{36})$/i.exec(code)?.[1];
    if (id) options.push(referenceCondition(on.id, [on.type], { type: null, id }));
  }
  for (const natural of on.natural ?? []) {
    if (system === undefined || system === natural.system)
      options.push(sql<SqlBool>`${natural.column} = ${code}`);
  }
  const systemMatch = system === undefined ? sql`true` : sql`x.system = ${system ?? ''}`;
  options.push(sql<SqlBool>`exists (select 1 from external_identifier x
    where x.resource_type = ${on.type} and x.entity_id = ${on.id} and x.value = ${code} and ${systemMatch})`);
  return any(options);
}

/** How a type's page key is compared: the uuid id, a bigint sequence, or text. */
export type KeyKind = 'uuid' | 'bigint' | 'text';

function keyCondition(key: Column, kind: KeyKind, op: '=' | '>', value: string): Condition {
  switch (kind) {
    case 'uuid':
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value))
        return sql<SqlBool>`false`;
      return sql<SqlBool>`${key} ${sql.raw(op)} ${value.toLowerCase()}::uuid`;
    case 'bigint':
      if (!/^\d{1,18}$/.test(value)) return sql<SqlBool>`false`;
      return sql<SqlBool>`${key} ${sql.raw(op)} ${value}::bigint`;
    case 'text':
      return sql<SqlBool>`${key} ${sql.raw(op)} ${value}`;
  }
}

/**
 * The conditions every type shares: `_id`, `identifier`, `_lastUpdated`, and the page's keyset
 * (`key` > the last key seen). `updated` is the column _lastUpdated reads.
 */
export function commonConditions(
  search: ParsedSearch,
  on: IdentifierColumns & { key: Column; keyKind: KeyKind; updated: Column },
): Condition[] {
  return [
    ...each(valuesOf(search, '_id', 'token'), ({ code }) =>
      keyCondition(on.key, on.keyKind, '=', code),
    ),
    ...each(valuesOf(search, 'identifier', 'token'), (token) => identifierCondition(on, token)),
    ...each(valuesOf(search, '_lastUpdated', 'date'), (date) => dateCondition(on.updated, date)),
    ...(search.after === null ? [] : [keyCondition(on.key, on.keyKind, '>', search.after)]),
  ];
}

/** The identifiers kept from other systems for these entities, by entity id. */
export async function externalIdentifiers(
  db: Db,
  type: ServedType,
  ids: readonly string[],
): Promise<Map<string, { system: string; value: string }[]>> {
  const byId = new Map<string, { system: string; value: string }[]>();
  if (ids.length === 0) return byId;
  const rows = await db
    .selectFrom('external_identifier')
    .select(['entity_id', 'system', 'value'])
    .where('resource_type', '=', type)
    .where('entity_id', 'in', ids)
    .orderBy('system')
    .orderBy('value')
    .execute();
  for (const row of rows) {
    const list = byId.get(row.entity_id) ?? [];
    list.push({ system: row.system, value: row.value });
    byId.set(row.entity_id, list);
  }
  return byId;
}
