import { sameColumns } from '../../db/versioned.ts';
import { groupFacilitators, toGroup } from '../groups/groups.repository.ts';
import { sql, type SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import type { EnrollmentStatus } from '../enrollments/enrollments.domain.ts';
import type { Facilitator, Group, GroupFields } from '../groups/groups.domain.ts';
import { codeSystem } from './fhir.domain.ts';
import type { ExternalId } from './map.domain.ts';
import {
  characteristicSystem,
  type GroupCharacteristicCode,
  type GroupImport,
  type GroupMember,
} from './map-group.domain.ts';
import type { CompositeValue, ParsedSearch, TokenValue } from './search.domain.ts';
import { valuesOf } from './search.domain.ts';
import {
  all,
  col,
  codeArrayCondition,
  codeCondition,
  commonConditions,
  each,
  externalIdentifiers,
  stringCondition,
  type Condition,
} from './search.repository.ts';
import { byReference, inTransaction, writeMembers } from './care.repository.ts';
import type { SearchScope, WriteOutcome } from './sources.ts';

/*
 * Therapy groups as FHIR Groups: the search (characteristics, members) and the import's write
 * (the group, its facilitators, and the enrollments its members name).
 */

const hasFacilitator = (role: 'lead' | 'co', clinicianId?: string): Condition =>
  sql<SqlBool>`exists (select 1 from group_facilitator f where f.group_id = g.id
    and f.role = ${role}${clinicianId === undefined ? sql`` : sql` and f.clinician_id = ${clinicianId}::uuid`})`;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The group has the characteristic at all. */
function characteristicCondition(token: TokenValue): Condition {
  if (token.system !== undefined && token.system !== characteristicSystem)
    return sql<SqlBool>`false`;
  switch (token.code as GroupCharacteristicCode) {
    case 'specialty':
    case 'language':
    case 'modality':
    case 'capacity':
    case 'location':
      return sql<SqlBool>`true`;
    case 'accommodation':
      return sql<SqlBool>`cardinality(g.accommodations) > 0`;
    case 'lead-facilitator':
      return hasFacilitator('lead');
    case 'co-facilitator':
      return hasFacilitator('co');
    default:
      return sql<SqlBool>`false`;
  }
}

/** `characteristic-value=code$value`; a reference value is given as `Type/id` or an id. */
function characteristicValueCondition({ code, value }: CompositeValue): Condition {
  if (code.system !== undefined && code.system !== characteristicSystem) return sql<SqlBool>`false`;
  const referenced = (type: 'Location' | 'Practitioner') => {
    const match = /^(?:([A-Z][A-Za-z]+)\/)?(.+)$/.exec(value.code);
    const id = match?.[2] ?? '';
    return (match?.[1] === undefined || match[1] === type) && uuidPattern.test(id)
      ? id.toLowerCase()
      : undefined;
  };
  switch (code.code as GroupCharacteristicCode) {
    case 'specialty':
      return codeCondition(col('g.specialty'), codeSystem('specialty'), value);
    case 'language':
      return codeCondition(col('g.language'), 'urn:ietf:bcp:47', {
        ...value,
        code: value.code.split('-')[0]?.toLowerCase() ?? '',
      });
    case 'modality':
      return codeCondition(col('g.modality'), codeSystem('modality'), value);
    case 'accommodation':
      return codeArrayCondition(col('g.accommodations'), codeSystem('accommodation'), value);
    case 'capacity':
      return /^\d{1,2}$/.test(value.code)
        ? sql<SqlBool>`g.capacity = ${Number(value.code)}`
        : sql<SqlBool>`false`;
    case 'location': {
      const id = referenced('Location');
      return id === undefined ? sql<SqlBool>`false` : sql<SqlBool>`g.location_id = ${id}::uuid`;
    }
    case 'lead-facilitator':
    case 'co-facilitator': {
      const id = referenced('Practitioner');
      return id === undefined
        ? sql<SqlBool>`false`
        : hasFacilitator(code.code === 'lead-facilitator' ? 'lead' : 'co', id);
    }
    default:
      return sql<SqlBool>`false`;
  }
}

export interface FoundGroup {
  group: Group;
  /** Null unless the reader may see patients. */
  members: GroupMember[] | null;
  external: ExternalId[];
}

/**
 * One page of groups in id order (count + 1 rows). Searching by `member` needs patient access:
 * without it the search is refused (FORBIDDEN), not answered with a silent nothing.
 */
export async function searchGroups(
  db: Db,
  search: ParsedSearch,
  scope: SearchScope,
): Promise<FoundGroup[]> {
  const members = valuesOf(search, 'member', 'reference');
  if (members.length > 0 && !scope.patients)
    throw new AppError('FORBIDDEN', 'Searching groups by member needs access to patients.', {
      issues: [{ field: 'query.member', problem: 'needs patients:read' }],
    });
  const conditions = [
    ...commonConditions(search, {
      type: 'Group',
      id: col('g.id'),
      key: col('g.id'),
      keyKind: 'uuid',
      updated: col('g.updated_at'),
    }),
    ...each(valuesOf(search, 'name', 'string'), ({ value, exact }) =>
      stringCondition(col('g.name'), value, exact),
    ),
    ...each(valuesOf(search, 'characteristic', 'token'), characteristicCondition),
    ...each(valuesOf(search, 'characteristic-value', 'composite'), characteristicValueCondition),
    ...each(members, (ref) =>
      byReference(
        ref,
        ['Patient'],
        (patientId) => sql<SqlBool>`exists (select 1 from enrollment e
          where e.group_id = g.id and e.patient_id = ${patientId}::uuid)`,
      ),
    ),
    ...each(valuesOf(search, 'managing-entity', 'reference'), (ref) =>
      byReference(ref, ['Practitioner'], (clinicianId) => hasFacilitator('lead', clinicianId)),
    ),
    // Every therapy group is an actual group of persons.
    ...each(valuesOf(search, 'type', 'token'), (token) =>
      token.code === 'person' &&
      (token.system === undefined || token.system === 'http://hl7.org/fhir/group-type')
        ? sql<SqlBool>`true`
        : sql<SqlBool>`false`,
    ),
    ...each(valuesOf(search, 'actual', 'token'), (token) =>
      token.code === 'true' && !token.system ? sql<SqlBool>`true` : sql<SqlBool>`false`,
    ),
  ];
  const rows = await db
    .selectFrom('therapy_group as g')
    .selectAll('g')
    .select(groupFacilitators().as('facilitators'))
    .where(all(conditions))
    .orderBy('g.id')
    .limit(search.count + 1)
    .execute();
  const ids = rows.map((r) => r.id);
  const external = await externalIdentifiers(db, 'Group', ids);
  const enrollments = scope.patients ? await membersOf(db, ids) : null;
  return rows.map((row) => ({
    group: toGroup({ ...row, enrolled: row.seats_taken }),
    members: enrollments === null ? null : (enrollments.get(row.id) ?? []),
    external: external.get(row.id) ?? [],
  }));
}

async function membersOf(db: Db, groupIds: readonly string[]) {
  const byGroup = new Map<string, GroupMember[]>();
  if (groupIds.length === 0) return byGroup;
  const rows = await db
    .selectFrom('enrollment')
    .selectAll()
    .where('group_id', 'in', groupIds)
    .orderBy('group_id')
    .orderBy('starts_on')
    .orderBy('patient_id')
    .orderBy('id')
    .execute();
  for (const row of rows) {
    const list = byGroup.get(row.group_id) ?? [];
    list.push({
      enrollmentId: row.id,
      patientId: row.patient_id,
      status: row.status as EnrollmentStatus,
      startsOn: row.starts_on,
      endsOn: row.ends_on,
      endReason: row.end_reason,
    });
    byGroup.set(row.group_id, list);
  }
  return byGroup;
}

function columnsOf(fields: GroupFields) {
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

const facilitatorKey = (f: Facilitator) => `${f.clinicianId}:${f.role}`;

/**
 * Writes an imported group: creates it with `id`, or updates it only where it differs (then once
 * bumping its version); replaces its facilitators only when the set differs; and brings the
 * enrollments its members name in line (matched by enrollment id, else the patient's open
 * enrollment, else an ended one that started the same day). Enrollments the resource does not
 * name are left as they are. The database holds the seat limit: GROUP_FULL propagates, as do
 * UNKNOWN_REFERENCE (location, clinician, patient) and DUPLICATE (a patient twice open).
 */
export async function writeGroup(
  db: Db,
  id: string,
  exists: boolean,
  value: GroupImport,
): Promise<{ outcome: WriteOutcome; patientIds: string[] }> {
  return inTransaction(db, async (trx) => {
    const columns = columnsOf(value.fields);
    let created = false;
    let groupChanged = false;
    if (!exists) {
      await withDbErrors(() =>
        trx
          .insertInto('therapy_group')
          .values({ ...columns, id })
          .execute(),
      );
      created = true;
    } else {
      const current = await trx
        .selectFrom('therapy_group')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!current) throw notFound('group', id);
      groupChanged = !sameColumns(current, columns);
    }

    const have = await trx
      .selectFrom('group_facilitator')
      .select(['clinician_id as clinicianId', 'role'])
      .where('group_id', '=', id)
      .execute();
    const facilitatorsChanged =
      have
        .map((f) => facilitatorKey(f as Facilitator))
        .sort()
        .join() !== value.facilitators.map(facilitatorKey).sort().join();
    if (facilitatorsChanged) {
      await trx.deleteFrom('group_facilitator').where('group_id', '=', id).execute();
      if (value.facilitators.length > 0)
        await withDbErrors(() =>
          trx
            .insertInto('group_facilitator')
            .values(
              value.facilitators.map((f) => ({
                group_id: id,
                clinician_id: f.clinicianId,
                role: f.role,
              })),
            )
            .execute(),
        );
    }
    if (!created && (groupChanged || facilitatorsChanged))
      await withDbErrors(() =>
        trx
          .updateTable('therapy_group')
          .set({ ...columns, version: sql`version + 1`, updated_at: sql`now()` })
          .where('id', '=', id)
          .execute(),
      );

    const membersChanged =
      value.members === null ? false : await writeMembers(trx, id, value.members);
    return {
      outcome: created
        ? 'created'
        : groupChanged || facilitatorsChanged || membersChanged
          ? 'updated'
          : 'unchanged',
      patientIds: [...new Set((value.members ?? []).map((m) => m.patientId))],
    };
  });
}
