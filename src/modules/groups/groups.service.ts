import type { ServiceDeps } from '../../context.ts';
import type { Db } from '../../db/database.ts';
import { notFound } from '../../shared/errors.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import {
  assertGroupConsistent,
  defaultMinSize,
  planSessions,
  sessionsAffected,
  wantedSessions,
  type Group,
  type GroupFields,
  type GroupFilter,
  type GroupPatch,
  type GroupSession,
  type NewGroup,
  type SessionFilter,
} from './groups.domain.ts';
import {
  deleteSessions,
  findGroup,
  futureSessions,
  insertGroup,
  insertSessions,
  listGroups,
  listSessions,
  replaceFacilitators,
  updateGroup,
} from './groups.repository.ts';

export type GroupService = ReturnType<typeof createGroupService>;

function fieldsOf(group: Group): GroupFields {
  return {
    name: group.name,
    specialty: group.specialty,
    modality: group.modality,
    language: group.language,
    accommodations: group.accommodations,
    locationId: group.locationId,
    capacity: group.capacity,
    minSize: group.minSize,
    kind: group.kind,
    status: group.status,
    rrule: group.rrule,
    sessionMinutes: group.sessionMinutes,
    startsOn: group.startsOn,
    endsOn: group.endsOn,
  };
}

/**
 * Therapy groups and their sessions (catalogue, not patient data): reading needs catalogue:read,
 * writing catalogue:write. Every method throws UNAUTHENTICATED or FORBIDDEN when the actor lacks it.
 */
export function createGroupService({ db, clock, config, access }: ServiceDeps) {
  /** Brings the group's future sessions in line with its schedule, inside the caller's transaction. */
  async function regenerateSessions(trx: Db, groupId: string, group: GroupFields): Promise<void> {
    const now = clock.now();
    const plan = planSessions(
      await futureSessions(trx, groupId, now),
      wantedSessions(group, now, config.TZ_ORG),
      now,
    );
    await deleteSessions(trx, groupId, plan.drop);
    await insertSessions(trx, groupId, plan.add);
  }

  async function mustFind(trx: Db, id: string): Promise<Group> {
    const group = await findGroup(trx, id);
    if (!group) throw notFound('group', id);
    return group;
  }

  return {
    /**
     * Creates a group with its facilitators and generates its sessions for the next 26 weeks,
     * in one transaction. Throws VALIDATION_FAILED (minSize above capacity, endsOn before
     * startsOn) and UNKNOWN_REFERENCE (location or clinician).
     */
    async create(input: NewGroup): Promise<Group> {
      await access.require('catalogue:write');
      const { facilitators, minSize, ...rest } = input;
      const fields: GroupFields = { ...rest, minSize: minSize ?? defaultMinSize(rest.capacity) };
      assertGroupConsistent(fields);
      return db.transaction().execute(async (trx) => {
        const id = await insertGroup(trx, fields);
        await replaceFacilitators(trx, id, facilitators);
        await regenerateSessions(trx, id, fields);
        return mustFind(trx, id);
      });
    },

    /** Throws NOT_FOUND for an unknown id. */
    async get(id: string): Promise<Group> {
      await access.require('catalogue:read');
      return mustFind(db, id);
    },

    async list(filter: GroupFilter, page: PageRequest): Promise<Page<Group>> {
      await access.require('catalogue:read');
      return listGroups(db, filter, page);
    },

    /**
     * Updates a group at `version`. Given facilitators replace the whole list. A change of
     * schedule (rrule, startsOn, endsOn, sessionMinutes) regenerates the future sessions, and
     * ending the group removes them, in the same transaction; held, cancelled and attended
     * sessions are never touched. Throws NOT_FOUND, VERSION_CONFLICT, VALIDATION_FAILED and
     * UNKNOWN_REFERENCE.
     */
    async update(id: string, version: number, patch: GroupPatch): Promise<Group> {
      await access.require('catalogue:write');
      const { facilitators, ...changes } = patch;
      return db.transaction().execute(async (trx) => {
        const current = await mustFind(trx, id);
        const before = fieldsOf(current);
        const after: GroupFields = { ...before, ...definedOnly(changes) };
        // Against a stale version the answer is VERSION_CONFLICT (below), not a judgement of
        // fields the caller has not seen.
        if (current.version === version) assertGroupConsistent(after);
        // The versioned update locks the row until commit, so two updates never regenerate at once.
        await updateGroup(trx, id, version, changes);
        if (facilitators) await replaceFacilitators(trx, id, facilitators);
        if (sessionsAffected(before, after)) await regenerateSessions(trx, id, after);
        return mustFind(trx, id);
      });
    },

    /** The group's sessions by start time. Throws NOT_FOUND for an unknown group. */
    async sessions(
      groupId: string,
      filter: SessionFilter,
      page: PageRequest,
    ): Promise<Page<GroupSession>> {
      await access.require('catalogue:read');
      await mustFind(db, groupId);
      return listSessions(db, groupId, filter, page);
    },
  };
}

/** A patch's keys that were actually given (zod leaves absent optional keys out, but be sure). */
function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
