import type { ServiceDeps } from '../../context.ts';
import type { Db } from '../../db/database.ts';
import { localDateOf } from '../../shared/clock.ts';
import { notFound } from '../../shared/errors.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import {
  assertApplicable,
  assertEditable,
  assertValidDisruption,
  impactOf,
  nextDay,
  resolveEnd,
  windowOf,
  type Disruption,
  type DisruptionFilter,
  type DisruptionPatch,
  type Impact,
  type NewDisruption,
} from './disruptions.domain.ts';
import {
  cancelSessions,
  displacedPatients,
  findDisruption,
  impactSessions,
  insertDisruption,
  listDisruptions,
  resumeSessions,
  serviceAreaNames,
  updateDisruption,
  type DisplacedRow,
  type ImpactGroup,
  type ImpactSession,
} from './disruptions.repository.ts';
import { listed } from '../audit/access.service.ts';

export type DisruptionService = ReturnType<typeof createDisruptionService>;

/** Everything a disruption touches: its sessions and groups, and the patients it displaces. */
export interface Cohort {
  disruption: Disruption;
  sessions: ImpactSession[];
  groups: ImpactGroup[];
  patients: DisplacedRow[];
  impact: Impact;
}

/**
 * Loads a disruption's cohort at `now`, in `db` (a transaction, when the caller writes after):
 * the patients actively enrolled in the groups it stops, or, with `interrupted`, the cohort it
 * displaced when applied (only the sessions it cancelled; see displacedPatients).
 * Reads no audit: callers record the access they make of it.
 */
export async function loadCohort(
  db: Db,
  disruption: Disruption,
  now: Date,
  timeZone: string,
  interrupted = false,
): Promise<Cohort> {
  const window = windowOf(disruption, timeZone);
  const found = await impactSessions(db, disruption, window);
  const sessions = interrupted ? found.sessions.filter((s) => s.cancelled) : found.sessions;
  const groups = interrupted
    ? found.groups.filter((g) => sessions.some((s) => s.groupId === g.id))
    : found.groups;
  const patients = await displacedPatients(
    db,
    interrupted ? { disruptionId: disruption.id } : { groupIds: groups.map((g) => g.id) },
    now,
  );
  const serviceAreas = await serviceAreaNames(db, [
    ...new Set([...patients.map((p) => p.serviceAreaId), ...groups.map((g) => g.serviceAreaId)]),
  ]);
  const impact = impactOf(
    { sessions, groups, patients, serviceAreas },
    window,
    now,
    disruption.appliedAt ?? now,
    timeZone,
  );
  return { disruption, sessions, groups, patients, impact };
}

/** The reason written on each cancelled session. */
const cancelReason = (d: Disruption): string => `disruption (${d.kind.replace('_', ' ')})`;

/**
 * Disruptions: reading needs disruptions:read, everything else disruptions:write. A disruption
 * itself holds no patient data; simulating one lists the displaced patients, so each is audited.
 * Applying and ending are audited as one event each, in their own transaction.
 */
export function createDisruptionService({ db, clock, config, access }: ServiceDeps) {
  const tz = config.TZ_ORG;

  async function existing(trx: Db, id: string, lock = false): Promise<Disruption> {
    const disruption = await findDisruption(trx, id, lock);
    if (!disruption) throw notFound('disruption', id);
    return disruption;
  }

  return {
    /** Creates a draft. Throws VALIDATION_FAILED (empty scope, end before start). */
    async create(input: NewDisruption): Promise<Disruption> {
      await access.require('disruptions:write', {
        action: 'disruption.create',
        entity: 'disruption',
      });
      assertValidDisruption(input);
      return db.transaction().execute(async (trx) => {
        const disruption = await insertDisruption(trx, input);
        await access.record(
          [{ action: 'disruption.create', entity: 'disruption', entityId: disruption.id }],
          trx,
        );
        return disruption;
      });
    },

    async get(id: string): Promise<Disruption> {
      await access.require('disruptions:read', {
        action: 'disruption.read',
        entity: 'disruption',
        entityId: id,
      });
      return existing(db, id);
    },

    async list(filter: DisruptionFilter, page: PageRequest): Promise<Page<Disruption>> {
      await access.require('disruptions:read', { action: 'disruption.list', entity: 'disruption' });
      return listDisruptions(db, filter, page);
    },

    /** Edits a draft at `version`. Throws NOT_FOUND, VERSION_CONFLICT, INVALID_TRANSITION. */
    async update(id: string, version: number, patch: DisruptionPatch): Promise<Disruption> {
      await access.require('disruptions:write', {
        action: 'disruption.update',
        entity: 'disruption',
        entityId: id,
      });
      return db.transaction().execute(async (trx) => {
        const current = await existing(trx, id, true);
        assertEditable(current);
        assertValidDisruption({
          scope: patch.scope ?? current.scope,
          startsOn: patch.startsOn ?? current.startsOn,
          endsOn: patch.endsOn === undefined ? current.endsOn : patch.endsOn,
        });
        const updated = await updateDisruption(trx, id, version, patch);
        await access.record(
          [
            {
              action: 'disruption.update',
              entity: 'disruption',
              entityId: id,
              detail: { fields: Object.keys(patch).sort() },
            },
          ],
          trx,
        );
        return updated;
      });
    },

    /**
     * The impact, without writing anything but the audit trail: the sessions that would be (or
     * were) cancelled, every displaced patient worst risk first, and counts.
     */
    async simulate(id: string): Promise<{ disruption: Disruption; impact: Impact }> {
      await access.require('disruptions:write', {
        action: 'disruption.simulate',
        entity: 'disruption',
        entityId: id,
      });
      const disruption = await existing(db, id);
      const { impact } = await loadCohort(db, disruption, clock.now(), tz);
      const shown = impact.patients.map((p) => ({ id, patientId: p.patientId }));
      await access.record(listed('disruption.simulate', 'disruption', shown));
      return { disruption, impact };
    },

    /**
     * Cancels every session in scope that is still scheduled, in one transaction, each with the
     * disruption as its reason, and makes a draft active. Applying again cancels only what is
     * still scheduled (nothing, unless sessions were added since), and changes nothing else.
     * Throws NOT_FOUND, INVALID_TRANSITION (ended).
     */
    async apply(id: string): Promise<{ disruption: Disruption; sessionsCancelled: number }> {
      await access.require('disruptions:write', {
        action: 'disruption.apply',
        entity: 'disruption',
        entityId: id,
      });
      return db.transaction().execute(async (trx) => {
        let disruption = await existing(trx, id, true);
        assertApplicable(disruption);
        const { sessions } = await impactSessions(trx, disruption, windowOf(disruption, tz));
        const pending = sessions.filter((s) => !s.cancelled).map((s) => s.id);
        const sessionsCancelled = await cancelSessions(
          trx,
          pending,
          disruption.id,
          cancelReason(disruption),
        );
        const wasDraft = disruption.status === 'draft';
        if (wasDraft)
          disruption = await updateDisruption(trx, id, disruption.version, {
            status: 'active',
            appliedAt: clock.now(),
          });
        // A repeat that changed nothing leaves no trace, not even in the audit trail.
        if (wasDraft || sessionsCancelled > 0)
          await access.record(
            [
              {
                action: 'disruption.apply',
                entity: 'disruption',
                entityId: id,
                detail: { sessionsCancelled },
              },
            ],
            trx,
          );
        return { disruption, sessionsCancelled };
      });
    },

    /**
     * Ends an active disruption on `on` (default: today in the organization's time zone): its
     * sessions after that day are scheduled again. Throws NOT_FOUND, INVALID_TRANSITION,
     * VALIDATION_FAILED (before its start).
     */
    async end(
      id: string,
      on?: string,
    ): Promise<{ disruption: Disruption; sessionsResumed: number }> {
      await access.require('disruptions:write', {
        action: 'disruption.end',
        entity: 'disruption',
        entityId: id,
      });
      return db.transaction().execute(async (trx) => {
        const current = await existing(trx, id, true);
        const endsOn = resolveEnd(current, on ?? localDateOf(clock.now(), tz));
        const resumeFrom = windowOf({ startsOn: nextDay(endsOn), endsOn: null }, tz).from;
        const sessionsResumed = await resumeSessions(trx, id, resumeFrom);
        const disruption = await updateDisruption(trx, id, current.version, {
          status: 'ended',
          endsOn,
          endedAt: clock.now(),
        });
        await access.record(
          [
            {
              action: 'disruption.end',
              entity: 'disruption',
              entityId: id,
              detail: { endsOn, sessionsResumed },
            },
          ],
          trx,
        );
        return { disruption, sessionsResumed };
      });
    },
  };
}
