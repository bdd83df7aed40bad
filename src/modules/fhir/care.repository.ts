import { sameColumns } from '../../db/versioned.ts';
import { sql, type SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { EnrollmentStatus } from '../enrollments/enrollments.domain.ts';
import type { Episode } from './map-episode.domain.ts';
import type { MemberImport } from './map-group.domain.ts';
import type { EncounterView } from './map-encounter.domain.ts';
import type { ServedType } from './fhir.domain.ts';
import type { ExternalId } from './map.domain.ts';
import type { DateValue, ParsedSearch, ReferenceValue } from './search.domain.ts';
import { valuesOf } from './search.domain.ts';
import {
  all,
  any,
  col,
  commonConditions,
  dateCondition,
  each,
  externalIdentifiers,
  referenceCondition,
  type Column,
  type Condition,
} from './search.repository.ts';
import { memberOf } from './patients.repository.ts';
import type { SearchScope } from './sources.ts';

/*
 * What the care types share (writing in one transaction, comparing before writing, a period
 * against a date search, facilitators), the two read-only care types, EpisodeOfCare (an
 * enrollment) and Encounter (a patient present at a session), and the enrollments a Group
 * import writes from its members.
 */

/** Runs `work` in the caller's transaction, or in a new one: a write never lands half done. */
export async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(work);
}

/**
 * A date search against a period of days (`start`, and `end` or open): `eq` when the period
 * overlaps the date, `ge`/`gt` when it runs until then or later, `le`/`lt` when it began by then.
 */
export function periodCondition(start: Column, end: Column, value: DateValue): Condition {
  const from = sql`(${start})::timestamp at time zone 'UTC'`;
  // The end day is included: the period lasts until the next midnight.
  const until = sql`((${end})::timestamp at time zone 'UTC' + interval '1 day')`;
  const overlaps = sql<SqlBool>`(${from} < ${value.end} and (${end} is null or ${until} > ${value.start}))`;
  switch (value.prefix) {
    case 'eq':
      return overlaps;
    case 'ne':
      return sql<SqlBool>`not ${overlaps}`;
    case 'gt':
    case 'sa':
      return sql<SqlBool>`(${end} is null or ${until} > ${value.end})`;
    case 'ge':
      return sql<SqlBool>`(${end} is null or ${until} > ${value.start})`;
    case 'lt':
    case 'eb':
      return sql<SqlBool>`${from} < ${value.start}`;
    case 'le':
      return sql<SqlBool>`${from} < ${value.end}`;
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A reference search value as a condition built from its id, when it names one of `types` with a
 * Continuity id; false otherwise (for conditions referenceCondition cannot express).
 */
export function byReference(
  { type, id }: ReferenceValue,
  types: readonly ServedType[],
  condition: (id: string) => Condition,
): Condition {
  if (type !== null && !(types as readonly string[]).includes(type)) return sql<SqlBool>`false`;
  if (!uuidPattern.test(id)) return sql<SqlBool>`false`;
  return condition(id.toLowerCase());
}

/** A token search against a code column whose FHIR codes map to stored ones. */
export function mappedCodeCondition(
  column: Column,
  system: string,
  stored: (code: string) => readonly string[],
  token: { system: string | null | undefined; code: string },
): Condition {
  if (token.system !== undefined && token.system !== system) return sql<SqlBool>`false`;
  const codes = stored(token.code);
  if (codes.length === 0) return sql<SqlBool>`false`;
  return any(codes.map((code) => sql<SqlBool>`${column} = ${code}`));
}

export const episodeStatusSystem = 'http://hl7.org/fhir/episode-of-care-status';

/** An enrollment with what its EpisodeOfCare names. */
export type EpisodeRow = Episode & { external: ExternalId[] };

/** One page of enrollments in id order (count + 1 rows). */
export async function searchEpisodes(
  db: Db,
  search: ParsedSearch,
  scope: SearchScope,
  storedStatuses: (code: string) => readonly string[],
): Promise<EpisodeRow[]> {
  const conditions = [
    ...commonConditions(search, {
      type: 'EpisodeOfCare',
      id: col('en.id'),
      key: col('en.id'),
      keyKind: 'uuid',
      updated: col('en.updated_at'),
    }),
    ...each(valuesOf(search, 'patient', 'reference'), (ref) =>
      referenceCondition(col('en.patient_id'), ['Patient'], ref),
    ),
    ...each(valuesOf(search, 'organization', 'reference'), (ref) =>
      referenceCondition(col('l.service_area_id'), ['Organization'], ref),
    ),
    ...each(valuesOf(search, 'status', 'token'), (token) =>
      mappedCodeCondition(col('en.status'), episodeStatusSystem, storedStatuses, token),
    ),
    ...each(valuesOf(search, 'date', 'date'), (date) =>
      periodCondition(col('en.starts_on'), col('en.ends_on'), date),
    ),
    ...(scope.groupId ? [memberOf('en.patient_id', scope.groupId)] : []),
  ];
  const rows = await db
    .selectFrom('enrollment as en')
    .innerJoin('therapy_group as g', 'g.id', 'en.group_id')
    .innerJoin('location as l', 'l.id', 'g.location_id')
    .select([
      'en.id',
      'en.patient_id',
      'en.group_id',
      'l.service_area_id',
      'en.status',
      'en.starts_on',
      'en.ends_on',
      'en.end_reason',
      'en.version',
      'en.updated_at',
    ])
    .where(all(conditions))
    .orderBy('en.id')
    .limit(search.count + 1)
    .execute();
  const external = await externalIdentifiers(
    db,
    'EpisodeOfCare',
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({
    id: row.id,
    patientId: row.patient_id,
    groupId: row.group_id,
    serviceAreaId: row.service_area_id,
    status: row.status as EnrollmentStatus,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    endReason: row.end_reason,
    version: row.version,
    updatedAt: row.updated_at,
    external: external.get(row.id) ?? [],
  }));
}

/** A patient present at a session, with what the Encounter names (`id` is its page key). */
export type EncounterRow = EncounterView;

/** The Encounter id: the session's and the patient's ids without dashes. */
const encounterKey = sql`replace(a.session_id::text, '-', '') || replace(a.patient_id::text, '-', '')`;

/** The session and patient ids an Encounter id joins, or undefined for one that is not. */
function encounterIds(key: string): [string, string] | undefined {
  if (!/^[0-9a-f]{64}$/i.test(key)) return undefined;
  const uuid = (hex: string) =>
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`.toLowerCase();
  return [uuid(key.slice(0, 32)), uuid(key.slice(32))];
}

/**
 * The Encounter id and page key as conditions on attendance's primary key, so that a read and
 * each page use its index. Hex digits sort as the uuids' bytes do, so (session, patient) order is
 * the order of the keys.
 */
function encounterKeyCondition(key: string, op: '=' | '>'): Condition {
  const pair = encounterIds(key);
  if (!pair) return sql<SqlBool>`false`;
  return sql<SqlBool>`(a.session_id, a.patient_id) ${sql.raw(op)} (${pair[0]}::uuid, ${pair[1]}::uuid)`;
}

/** One page of encounters (present attendance) in key order (count + 1 rows). */
export async function searchEncounters(
  db: Db,
  search: ParsedSearch,
  scope: SearchScope,
  typeMatches: (token: { system: string | null | undefined; code: string }) => boolean,
): Promise<EncounterRow[]> {
  // `_id` and the page key are read here, against the index; the rest as every type does.
  const rest: ParsedSearch = {
    ...search,
    params: new Map([...search.params].filter(([name]) => name !== '_id')),
    after: null,
  };
  const conditions = [
    ...commonConditions(rest, {
      type: 'Encounter',
      // Encounters carry no identifier of their own: an identifier search matches none.
      id: sql`null::uuid`,
      key: encounterKey,
      keyKind: 'text',
      // Attendance records no change time: every encounter counts as changed now, so an export
      // `_since` a time never misses one.
      updated: sql`now()`,
    }),
    ...each(valuesOf(search, '_id', 'token'), ({ code }) => encounterKeyCondition(code, '=')),
    ...(search.after === null ? [] : [encounterKeyCondition(search.after, '>')]),
    ...each(valuesOf(search, 'patient', 'reference'), (ref) =>
      referenceCondition(col('a.patient_id'), ['Patient'], ref),
    ),
    ...each(valuesOf(search, 'appointment', 'reference'), (ref) =>
      referenceCondition(col('a.session_id'), ['Appointment'], ref),
    ),
    ...each(valuesOf(search, 'date', 'date'), (date) => dateCondition(col('s.starts_at'), date)),
    ...each(valuesOf(search, 'status', 'token'), (token) =>
      token.code === 'finished' &&
      (token.system === undefined || token.system === 'http://hl7.org/fhir/encounter-status')
        ? sql<SqlBool>`true`
        : sql<SqlBool>`false`,
    ),
    ...each(valuesOf(search, 'type', 'token'), (token) =>
      typeMatches(token) ? sql<SqlBool>`true` : sql<SqlBool>`false`,
    ),
    ...(scope.groupId ? [memberOf('a.patient_id', scope.groupId)] : []),
  ];
  const rows = await db
    .selectFrom('attendance as a')
    .innerJoin('group_session as s', 's.id', 'a.session_id')
    .innerJoin('therapy_group as g', 'g.id', 's.group_id')
    .innerJoin('location as l', 'l.id', 'g.location_id')
    .select([
      'a.session_id',
      'a.patient_id',
      's.starts_at',
      's.ends_at',
      's.group_id',
      'l.service_area_id',
    ])
    .select(encounterKey.as('key'))
    .where('a.status', '=', 'present')
    .where(all(conditions))
    .orderBy('a.session_id')
    .orderBy('a.patient_id')
    .limit(search.count + 1)
    .execute();
  const facilitators = await facilitatorsOf(
    db,
    rows.map((r) => r.group_id),
  );
  return rows.map((row) => ({
    id: row.key as string,
    sessionId: row.session_id,
    patientId: row.patient_id,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    serviceAreaId: row.service_area_id,
    facilitators: facilitators.get(row.group_id) ?? [],
  }));
}

/** The facilitators of groups, lead first, by group id. */
export async function facilitatorsOf(
  db: Db,
  groupIds: readonly string[],
): Promise<Map<string, { clinicianId: string; role: 'lead' | 'co' }[]>> {
  const byGroup = new Map<string, { clinicianId: string; role: 'lead' | 'co' }[]>();
  if (groupIds.length === 0) return byGroup;
  const rows = await db
    .selectFrom('group_facilitator')
    .select(['group_id', 'clinician_id', 'role'])
    .where('group_id', 'in', [...new Set(groupIds)])
    .orderBy('group_id')
    .orderBy('role', 'desc') // lead before co
    .orderBy('clinician_id')
    .execute();
  for (const row of rows) {
    const list = byGroup.get(row.group_id) ?? [];
    list.push({ clinicianId: row.clinician_id, role: row.role as 'lead' | 'co' });
    byGroup.set(row.group_id, list);
  }
  return byGroup;
}

/**
 * Brings a group's enrollments in line with the members an import names (EpisodeOfCare is the
 * enrollment): each matched by enrollment id, else the patient's open enrollment, else an ended
 * one that started the same day; updated where it differs, inserted when none matches (with the
 * named id when it is free). Returns whether any enrollment was written.
 */
export async function writeMembers(
  db: Db,
  groupId: string,
  members: readonly MemberImport[],
): Promise<boolean> {
  const existing = await db
    .selectFrom('enrollment')
    .selectAll()
    .where('group_id', '=', groupId)
    .orderBy('id')
    .execute();
  const claimed = new Set<string>();
  const match = (m: MemberImport) => {
    const found =
      existing.find((e) => e.id === m.enrollmentId) ??
      (m.status !== 'ended'
        ? existing.find(
            (e) => e.patient_id === m.patientId && e.status !== 'ended' && !claimed.has(e.id),
          )
        : existing.find(
            (e) =>
              e.patient_id === m.patientId &&
              e.status === 'ended' &&
              e.starts_on === m.startsOn &&
              !claimed.has(e.id),
          ));
    if (found) claimed.add(found.id);
    return found;
  };
  // Seats are given up before they are taken, so a swap within a full group goes through.
  const ordered = [...members].sort(
    (a, b) => Number(a.status === 'active') - Number(b.status === 'active'),
  );
  let changed = false;
  for (const member of ordered) {
    const current = match(member);
    const wanted = {
      status: member.status,
      starts_on: member.startsOn,
      ends_on: member.endsOn,
      end_reason: member.endReason,
    };
    if (current) {
      if (sameColumns(current, wanted)) continue;
      await withDbErrors(() =>
        db
          .updateTable('enrollment')
          .set({ ...wanted, version: sql`version + 1`, updated_at: sql`now()` })
          .where('id', '=', current.id)
          .execute(),
      );
    } else {
      const free =
        member.enrollmentId !== undefined &&
        (await db
          .selectFrom('enrollment')
          .select('id')
          .where('id', '=', member.enrollmentId)
          .executeTakeFirst()) === undefined;
      await withDbErrors(() =>
        db
          .insertInto('enrollment')
          .values({
            ...wanted,
            id: free && member.enrollmentId !== undefined ? member.enrollmentId : uuidv7(),
            patient_id: member.patientId,
            group_id: groupId,
          })
          .execute(),
      );
    }
    changed = true;
  }
  return changed;
}
