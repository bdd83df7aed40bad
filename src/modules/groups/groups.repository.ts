import { sql, type ExpressionBuilder, type Insertable, type Updateable } from 'kysely';
import type { Database, Db, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { updateVersioned } from '../../db/versioned.ts';
import { AppError } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../../shared/page.ts';
import type { Accommodation, GroupModality, Specialty } from '../vocabulary/vocabulary.domain.ts';
import type { SessionTime } from './schedule.domain.ts';
import {
  openSeats,
  type ExistingSession,
  type Facilitator,
  type Group,
  type GroupFields,
  type GroupFilter,
  type GroupKind,
  type GroupSession,
  type GroupStatus,
  type SessionFilter,
  type SessionStatus,
} from './groups.domain.ts';

type GroupRow = Row<'therapy_group'> & { enrolled: number | null; facilitators: Facilitator[] };
type Eb = ExpressionBuilder<Database & { g: Database['therapy_group'] }, 'g'>;

// The CHECK constraints of the migration hold these columns to the domain's unions.
export function toGroup(row: GroupRow): Group {
  const enrolled = row.enrolled ?? 0;
  return {
    id: row.id,
    name: row.name,
    specialty: row.specialty as Specialty,
    modality: row.modality as GroupModality,
    language: row.language,
    accommodations: row.accommodations as Accommodation[],
    locationId: row.location_id,
    capacity: row.capacity,
    minSize: row.min_size,
    kind: row.kind as GroupKind,
    status: row.status as GroupStatus,
    rrule: row.rrule,
    sessionMinutes: row.session_minutes,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    facilitators: row.facilitators,
    enrolled,
    openSeats: openSeats(row.capacity, enrolled),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toColumns(fields: Partial<GroupFields>): Updateable<Database['therapy_group']> {
  return {
    name: fields.name,
    specialty: fields.specialty,
    modality: fields.modality,
    language: fields.language,
    accommodations: fields.accommodations,
    location_id: fields.locationId,
    capacity: fields.capacity,
    min_size: fields.minSize,
    kind: fields.kind,
    status: fields.status,
    rrule: fields.rrule,
    session_minutes: fields.sessionMinutes,
    starts_on: fields.startsOn,
    ends_on: fields.endsOn,
  };
}

/** The number of active enrollments of the group `g`. */
function activeCount(eb: Eb) {
  return eb
    .selectFrom('enrollment as e')
    .select((inner) => inner.fn.countAll<number>().as('n'))
    .whereRef('e.group_id', '=', 'g.id')
    .where('e.status', '=', 'active');
}

/**
 * The facilitators of the group `g`, leads first, then by clinician id: read with the group in
 * the same statement (through the facilitator table's primary key), not in a second round trip.
 */
export function groupFacilitators() {
  return sql<Facilitator[]>`(select coalesce(json_agg(
      json_build_object('clinicianId', f.clinician_id, 'role', f.role)
      order by f.role desc, f.clinician_id), '[]'::json)
    from group_facilitator f where f.group_id = g.id)`;
}

function selectGroups(db: Db) {
  return db
    .selectFrom('therapy_group as g')
    .selectAll('g')
    .select((eb) => activeCount(eb).as('enrolled'))
    .select(groupFacilitators().as('facilitators'));
}

export async function insertGroup(db: Db, fields: GroupFields): Promise<string> {
  const id = uuidv7();
  await withDbErrors(() =>
    db
      .insertInto('therapy_group')
      // `fields` is complete, so every column toColumns maps is present.
      .values({ ...(toColumns(fields) as Insertable<Database['therapy_group']>), id })
      .execute(),
  );
  return id;
}

/** Replaces the group's facilitators. Throws UNKNOWN_REFERENCE for an unknown clinician. */
export async function replaceFacilitators(
  db: Db,
  groupId: string,
  facilitators: readonly Facilitator[],
): Promise<void> {
  await db.deleteFrom('group_facilitator').where('group_id', '=', groupId).execute();
  if (facilitators.length === 0) return;
  await withDbErrors(() =>
    db
      .insertInto('group_facilitator')
      .values(
        facilitators.map((f) => ({ group_id: groupId, clinician_id: f.clinicianId, role: f.role })),
      )
      .execute(),
  );
}

export async function findGroup(db: Db, id: string): Promise<Group | undefined> {
  const row = await selectGroups(db).where('g.id', '=', id).executeTakeFirst();
  return row && toGroup(row);
}

export async function listGroups(
  db: Db,
  filter: GroupFilter,
  page: PageRequest,
): Promise<Page<Group>> {
  let query = selectGroups(db)
    .orderBy('g.id')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('g.id', '>', decodeCursor(page.cursor));
  if (filter.specialty) query = query.where('g.specialty', '=', filter.specialty);
  if (filter.locationId) query = query.where('g.location_id', '=', filter.locationId);
  const { serviceAreaId, accommodation, clinicianId, hasOpenSeats } = filter;
  if (serviceAreaId)
    query = query.where('g.location_id', 'in', (eb) =>
      eb.selectFrom('location').select('location.id').where('service_area_id', '=', serviceAreaId),
    );
  if (filter.modality) query = query.where('g.modality', '=', filter.modality);
  if (filter.language) query = query.where('g.language', '=', filter.language);
  if (accommodation)
    query = query.where((eb) =>
      eb(eb.val<string>(accommodation), '=', eb.fn.any('g.accommodations')),
    );
  if (filter.status) query = query.where('g.status', '=', filter.status);
  if (filter.kind) query = query.where('g.kind', '=', filter.kind);
  if (hasOpenSeats !== undefined)
    query = query.where((eb) => eb('g.capacity', hasOpenSeats ? '>' : '<=', activeCount(eb)));
  if (clinicianId)
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('group_facilitator as f')
          .select('f.group_id')
          .whereRef('f.group_id', '=', 'g.id')
          .where('f.clinician_id', '=', clinicianId),
      ),
    );
  return toPage(await query.execute(), page.limit, toGroup);
}

/** Throws NOT_FOUND, VERSION_CONFLICT or UNKNOWN_REFERENCE (location). */
export async function updateGroup(
  db: Db,
  id: string,
  version: number,
  fields: Partial<GroupFields>,
): Promise<void> {
  await updateVersioned(db, 'therapy_group', id, version, toColumns(fields));
}

/** The group's sessions from `now` on, as regeneration needs them. */
export async function futureSessions(
  db: Db,
  groupId: string,
  now: Date,
): Promise<ExistingSession[]> {
  const rows = await db
    .selectFrom('group_session as s')
    .select(['s.id', 's.starts_at', 's.ends_at', 's.status'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('attendance as a')
            .select('a.session_id')
            .whereRef('a.session_id', '=', 's.id'),
        )
        .as('has_attendance'),
    )
    .where('s.group_id', '=', groupId)
    .where('s.starts_at', '>=', now)
    .orderBy('s.starts_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    status: row.status as SessionStatus,
    hasAttendance: Boolean(row.has_attendance),
  }));
}

/**
 * Deletes the given sessions, but only those still scheduled and without attendance: the guard
 * is repeated here so that no caller can remove a held, cancelled or attended session.
 */
export async function deleteSessions(
  db: Db,
  groupId: string,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .deleteFrom('group_session as s')
    .where('s.group_id', '=', groupId)
    .where('s.id', 'in', ids)
    .where('s.status', '=', 'scheduled')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('attendance as a')
            .select('a.session_id')
            .whereRef('a.session_id', '=', 's.id'),
        ),
      ),
    )
    .execute();
}

export async function insertSessions(
  db: Db,
  groupId: string,
  times: readonly SessionTime[],
): Promise<void> {
  if (times.length === 0) return;
  await withDbErrors(() =>
    db
      .insertInto('group_session')
      .values(
        times.map((time) => ({
          id: uuidv7(),
          group_id: groupId,
          starts_at: time.startsAt,
          ends_at: time.endsAt,
        })),
      )
      .execute(),
  );
}

type SessionRow = Row<'group_session'> & { present: number; absent: number; excused: number };

function toSession(row: SessionRow): GroupSession {
  return {
    id: row.id,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    status: row.status as SessionStatus,
    cancelReason: row.cancel_reason,
    disruptionId: row.disruption_id,
    attendance: { present: row.present, absent: row.absent, excused: row.excused },
  };
}

/** A session's attendance of one status, counted. */
function attended<S extends 'present' | 'absent' | 'excused'>(status: S) {
  return sql<number>`(select count(*)::int from attendance a
    where a.session_id = group_session.id and a.status = ${status})`.as(status);
}

/*
 * Sessions are listed by start time, so their cursor is the last start time seen (unique within
 * a group), not an id: it stays valid even when regeneration deletes the session it came from.
 */
const sessionCursorPrefix = 'starts:';

function encodeSessionCursor(startsAt: Date): string {
  return Buffer.from(`${sessionCursorPrefix}${startsAt.toISOString()}`, 'utf8').toString(
    'base64url',
  );
}

function decodeSessionCursor(cursor: string): Date {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const at = new Date(text.slice(sessionCursorPrefix.length));
  if (!text.startsWith(sessionCursorPrefix) || Number.isNaN(at.getTime()))
    throw new AppError('BAD_CURSOR', 'The cursor is not one this server gave out.');
  return at;
}

export async function listSessions(
  db: Db,
  groupId: string,
  filter: SessionFilter,
  page: PageRequest,
): Promise<Page<GroupSession>> {
  let query = db
    .selectFrom('group_session')
    .selectAll()
    .select([attended('present'), attended('absent'), attended('excused')])
    .where('group_id', '=', groupId)
    .orderBy('starts_at')
    .limit(page.limit + 1);
  if (page.cursor) query = query.where('starts_at', '>', decodeSessionCursor(page.cursor));
  if (filter.from) query = query.where('starts_at', '>=', filter.from);
  if (filter.to) query = query.where('starts_at', '<', filter.to);
  if (filter.status) query = query.where('status', '=', filter.status);
  const rows = await query.execute();
  const hasMore = rows.length > page.limit;
  const kept = hasMore ? rows.slice(0, page.limit) : rows;
  const last = kept.at(-1);
  return {
    items: kept.map(toSession),
    nextCursor: hasMore && last ? encodeSessionCursor(last.starts_at) : null,
  };
}
