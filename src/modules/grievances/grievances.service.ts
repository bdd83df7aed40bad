import type { ServiceDeps } from '../../context.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { assertPeriod } from '../../shared/period.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import {
  assertGrievanceTransition,
  grievanceDeadlines,
  grievanceRates,
  type GrievanceDeadlines,
  type GrievanceStatus,
  type Rate,
} from './grievances.domain.ts';
import {
  displacedCount,
  findGrievance,
  grievanceCounts,
  insertGrievance,
  listGrievances,
  openGrievances,
  patientsInCare,
  pendingThirtyDays,
  totalMembers,
  updateGrievance,
  type Grievance,
  type GrievanceFilter,
  type NewGrievance,
  type QuarterlyCount,
} from './grievances.repository.ts';
import { givenKeys, listed } from '../audit/access.service.ts';

export type GrievanceService = ReturnType<typeof createGrievanceService>;

export type GrievanceWithDeadlines = Grievance & { deadlines: GrievanceDeadlines };
export type Duty = 'disposition' | 'acknowledge' | 'resolve';

const dayMs = 86_400_000;

/** The quarter's first instant and the instant after it, in UTC dates. */
export function quarterBounds(year: number, quarter: 1 | 2 | 3 | 4): { from: Date; to: Date } {
  return {
    from: new Date(Date.UTC(year, (quarter - 1) * 3, 1)),
    to: new Date(Date.UTC(year, quarter * 3, 1)),
  };
}

/**
 * Grievances name a patient: reading needs grievances:read, recording and changing them
 * grievances:write; each one read or written is audited, with ids and statuses only (a
 * grievance's summary and notes never reach the audit trail, a log or an error).
 */
export function createGrievanceService({ db, clock, config, access }: ServiceDeps) {
  const tz = config.TZ_ORG;
  const withDeadlines = (g: Grievance): GrievanceWithDeadlines => ({
    ...g,
    deadlines: grievanceDeadlines(g.receivedAt, g.expedited, tz),
  });
  const audit = (action: string, grievances: readonly Grievance[], trx?: typeof db) =>
    access.record(
      grievances.map((g) => ({
        action,
        entity: 'grievance',
        entityId: g.id,
        patientId: g.patientId,
        detail: { status: g.status, expedited: g.expedited },
      })),
      trx,
    );

  return {
    /**
     * Records a grievance. An expedited one records that the patient was told at once of their
     * right to contact DMHC. Throws UNKNOWN_REFERENCE, VALIDATION_FAILED (received in the future).
     */
    async create(input: NewGrievance): Promise<GrievanceWithDeadlines> {
      await access.require('grievances:write', {
        action: 'grievance.create',
        entity: 'grievance',
        patientId: input.patientId,
      });
      const now = clock.now();
      if (input.receivedAt > now)
        throw new AppError('VALIDATION_FAILED', 'Invalid receivedAt: it is in the future.', {
          issues: [{ field: 'receivedAt', problem: 'must not be in the future' }],
        });
      return db.transaction().execute(async (trx) => {
        const g = await insertGrievance(
          trx,
          input,
          access.actor.label,
          input.expedited ? now : null,
        );
        await audit('grievance.create', [g], trx);
        return withDeadlines(g);
      });
    },

    async get(id: string): Promise<GrievanceWithDeadlines> {
      await access.require('grievances:read', {
        action: 'grievance.read',
        entity: 'grievance',
        entityId: id,
      });
      const g = await findGrievance(db, id);
      if (!g) throw notFound('grievance', id);
      await audit('grievance.read', [g]);
      return withDeadlines(g);
    },

    async list(filter: GrievanceFilter, page: PageRequest): Promise<Page<GrievanceWithDeadlines>> {
      await access.require('grievances:read', { action: 'grievance.list', entity: 'grievance' });
      const result = await listGrievances(db, filter, page);
      await access.record(
        listed('grievance.list', 'grievance', result.items, {
          filters: givenKeys(filter),
        }),
      );
      return { items: result.items.map(withDeadlines), nextCursor: result.nextCursor };
    },

    /**
     * Open grievances whose next duty is due within a day or overdue, expedited first, then the
     * nearest due. The next duty: an expedited disposition not yet sent, else acknowledgement
     * while received, else resolution.
     */
    async due(): Promise<
      (GrievanceWithDeadlines & { nextDuty: Duty; dueBefore: Date; overdue: boolean })[]
    > {
      await access.require('grievances:read', { action: 'grievance.list', entity: 'grievance' });
      const now = clock.now();
      const soon = new Date(now.getTime() + dayMs);
      const items = (await openGrievances(db))
        .map(withDeadlines)
        .map((g) => {
          const [nextDuty, dueBefore]: [Duty, Date] =
            g.deadlines.dispositionBefore !== null && g.dispositionSentAt === null
              ? ['disposition', g.deadlines.dispositionBefore]
              : g.status === 'received'
                ? ['acknowledge', g.deadlines.acknowledgeBefore]
                : ['resolve', g.deadlines.resolveBefore];
          return { ...g, nextDuty, dueBefore, overdue: dueBefore <= now };
        })
        .filter((g) => g.dueBefore <= soon)
        .sort(
          (a, b) =>
            Number(b.expedited) - Number(a.expedited) ||
            a.dueBefore.getTime() - b.dueBefore.getTime() ||
            (a.id < b.id ? -1 : 1),
        );
      await access.record(listed('grievance.list', 'grievance', items, { due: true }));
      return items;
    },

    /**
     * Moves a grievance: received → acknowledged → resolved (with the resolution), or withdrawn;
     * also records where it is pending and the expedited disposition. Throws NOT_FOUND,
     * VERSION_CONFLICT, INVALID_TRANSITION, VALIDATION_FAILED.
     */
    async update(
      id: string,
      version: number,
      change: {
        to?: GrievanceStatus | undefined;
        resolution?: string | undefined;
        pendingWith?: string | undefined;
        dispositionSentAt?: Date | undefined;
        notes?: string | null | undefined;
      },
    ): Promise<GrievanceWithDeadlines> {
      await access.require('grievances:write', {
        action: 'grievance.update',
        entity: 'grievance',
        entityId: id,
      });
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const current = await findGrievance(trx, id, true);
        if (!current) throw notFound('grievance', id);
        if (change.to !== undefined)
          assertGrievanceTransition(id, current.status, change.to, change.resolution);
        else if (change.resolution !== undefined)
          throw new AppError('VALIDATION_FAILED', 'Invalid resolution: only resolving sets it.', {
            issues: [{ field: 'resolution', problem: 'give to: resolved with it' }],
          });
        const updated = await updateGrievance(trx, id, version, {
          status: change.to,
          ...(change.to === 'acknowledged' ? { acknowledgedAt: now } : {}),
          ...(change.to === 'resolved'
            ? { resolvedAt: now, resolution: (change.resolution ?? '').trim() }
            : {}),
          ...(change.to === 'withdrawn' ? { withdrawnAt: now } : {}),
          pendingWith: change.pendingWith,
          dispositionSentAt: change.dispositionSentAt,
          notes: change.notes,
        });
        await audit('grievance.update', [updated], trx);
        return withDeadlines(updated);
      });
    },

    /** The quarterly report to DMHC: pending or unresolved 30 days or more at the quarter's end. */
    async quarterly(
      year: number,
      quarter: 1 | 2 | 3 | 4,
    ): Promise<{
      year: number;
      quarter: number;
      asOf: Date;
      total: number;
      rows: QuarterlyCount[];
    }> {
      await access.require('compliance:read', { action: 'grievance.report', entity: 'grievance' });
      const { to } = quarterBounds(year, quarter);
      const rows = await pendingThirtyDays(db, to);
      return { year, quarter, asOf: to, total: rows.reduce((n, r) => n + r.count, 0), rows };
    },

    /**
     * Grievance rates for [from, to), or for one disruption over it: all grievances and the
     * disruption-related ones, each as the three rates of `grievanceRates`.
     */
    async rates(filter: { from: Date; to: Date; disruptionId?: string | undefined }): Promise<{
      from: Date;
      to: Date;
      days: number;
      all: Rate[];
      disruptionRelated: Rate[];
    }> {
      await access.require('compliance:read', { action: 'grievance.rates', entity: 'grievance' });
      assertPeriod(filter);
      const days = (filter.to.getTime() - filter.from.getTime()) / dayMs;
      const counts = await grievanceCounts(db, filter);
      const members = await totalMembers(db);
      const [affectedPatients, affectedDefinition] =
        filter.disruptionId === undefined
          ? [
              await patientsInCare(db, filter.from, filter.to),
              'the patients in care in the period (an attended visit, or an active enrollment)',
            ]
          : [
              await displacedCount(db, filter.disruptionId),
              'the patients the disruption displaced',
            ];
      const rates = (grievances: number) =>
        grievanceRates({ grievances, members, days, affectedPatients, affectedDefinition });
      return {
        from: filter.from,
        to: filter.to,
        days,
        all: rates(counts.all),
        disruptionRelated: rates(counts.disruptionRelated),
      };
    },
  };
}
