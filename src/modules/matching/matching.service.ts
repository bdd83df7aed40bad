import type { ServiceDeps } from '../../context.ts';
import { versionConflict } from '../../db/versioned.ts';
import type { Db } from '../../db/database.ts';
import { localDateOf } from '../../shared/clock.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import { loadCohort } from '../disruptions/disruptions.service.ts';
import { findDisruption } from '../disruptions/disruptions.repository.ts';
import { resolveParams } from './candidate-params.domain.ts';
import { planInline } from './cohort-planner.ts';
import {
  acceptingProviders,
  lockClinicians,
  openReferrals,
  appointmentTargets,
  decideMany,
  failedProviders,
  findProposal,
  findRun,
  groupSeatTargets,
  insertAppointments,
  insertEnrollments,
  insertReferrals,
  insertRun,
  listProposals,
  listRuns,
  lockGroups,
  openEnrollments,
  outsideProviderTargets,
  patientCommitments,
  placedPatientIds,
  runProposals,
  updateProposal,
} from './matching.repository.ts';
import type {
  ExplainedOption,
  MatchProposal,
  MatchRun,
  ProposalDecision,
  ProposalOption,
} from './plan.domain.ts';
import { currentMatrix } from './equivalence.service.ts';
import { listed } from '../audit/access.service.ts';

export type MatchingService = ReturnType<typeof createMatchingService>;

/** What a coordinator may tune for one run; everything else is the documented default. */
export interface RematchInput {
  maxTravelKm?: number | undefined;
  equivalenceFloor?: number | undefined;
  /** Plan only these patients of the cohort (e.g. one whose referral was declined). */
  patientIds?: readonly string[] | undefined;
}

export interface CommitResult {
  runId: string;
  committed: { enrollments: number; referrals: number; appointments: number; unmatched: number };
  /** Approved proposals that could not be carried out; each is back to pending, to re-plan. */
  conflicts: { proposalId: string; patientId: string; reason: string }[];
}

/**
 * Re-matching: computing a plan for a disruption's displaced cohort, reviewing it, and
 * committing it. Plans name patients and where each goes, so reading needs rematch:read and every
 * proposal read is audited; computing, deciding and committing need rematch:write and are audited
 * in their own transaction.
 */
export function createMatchingService({
  db,
  clock,
  config,
  access,
  planCohort = planInline,
}: ServiceDeps) {
  const tz = config.TZ_ORG;

  async function existingRun(trx: Db, id: string, lock = false): Promise<MatchRun> {
    const run = await findRun(trx, id, lock);
    if (!run) throw notFound('match_run', id);
    return run;
  }

  function auditProposals(action: string, proposals: readonly MatchProposal[], trx?: Db) {
    return access.record(
      proposals.map((p) => ({
        action,
        entity: 'match_proposal',
        entityId: p.id,
        patientId: p.patientId,
        detail: { runId: p.runId },
      })),
      trx,
    );
  }

  return {
    /**
     * Computes a plan for every displaced patient of the disruption not yet placed by an earlier
     * run: candidates for each, one exact min-cost-flow over the whole cohort (its optimality
     * checked against its own duals), and one proposal per patient, highest risk first. The
     * planning runs in the context's worker thread; loading and writing stay here.
     * Throws NOT_FOUND, INVALID_TRANSITION (an ended disruption), UNPROCESSABLE (a cohort too large
     * to plan at once).
     */
    async rematch(disruptionId: string, input: RematchInput = {}): Promise<MatchRun> {
      await access.require('rematch:write', {
        action: 'rematch.plan',
        entity: 'disruption',
        entityId: disruptionId,
      });
      const disruption = await findDisruption(db, disruptionId);
      if (!disruption) throw notFound('disruption', disruptionId);
      if (disruption.status === 'ended')
        throw new AppError('INVALID_TRANSITION', 'An ended disruption is not re-matched.', {
          id: disruptionId,
          status: disruption.status,
        });
      const started = performance.now();
      const now = clock.now();
      const matrix = await currentMatrix(db);
      const cohort = await loadCohort(db, disruption, now, tz);
      const placed = await placedPatientIds(db, disruptionId);
      const rows = new Map(cohort.patients.map((p) => [p.id, p]));
      const chosen = input.patientIds === undefined ? null : new Set(input.patientIds);
      const ranked = cohort.impact.patients.filter(
        (p) => !placed.has(p.patientId) && (chosen === null || chosen.has(p.patientId)),
      );
      const lostGroupIds = cohort.groups.map((g) => g.id);
      const [groups, providers, clinicians, busy, excluded] = await Promise.all([
        groupSeatTargets(db, lostGroupIds, now),
        outsideProviderTargets(db, now),
        appointmentTargets(db, disruption.scope.clinicianIds, now, tz),
        patientCommitments(
          db,
          ranked.map((p) => p.patientId),
          lostGroupIds,
          now,
        ),
        failedProviders(
          db,
          ranked.map((p) => p.patientId),
        ),
      ]);
      const patients = ranked.map((p) => {
        const row = rows.get(p.patientId);
        if (!row) throw new Error('every ranked patient has a row');
        return {
          patient: {
            id: row.id,
            language: row.language,
            lat: row.lat,
            lon: row.lon,
            needs: row.needs,
            conditions: row.conditions,
            risk: row.risk,
            perinatal: row.perinatal,
            dischargedAt: row.dischargedAt,
            lostGroup: { id: p.lostGroupIds[0] ?? '', specialty: p.need },
            ownClinicianIds: row.ownClinicianIds,
            busy: busy.get(row.id) ?? [],
            lastCareAt: row.lastCareAt,
          },
          need: p.need,
          serviceAreaId: row.serviceAreaId,
          lostGroupIds: p.lostGroupIds,
        };
      });
      const loaded = performance.now();
      // Seconds of CPU for a region: in the context's worker thread, so the API keeps answering.
      const plan = await planCohort({
        patients,
        targets: { groupSeats: groups, outsideProviders: providers, appointments: clinicians },
        excluded,
        params: {
          maxTravelKm: input.maxTravelKm,
          equivalenceFloor: input.equivalenceFloor,
          matrix,
        },
        serviceAreaNames: new Map(
          cohort.impact.counts.byServiceArea.map((a) => [a.serviceAreaId, a.name]),
        ),
        now,
      });
      const { proposals } = plan;
      const params = resolveParams({
        maxTravelKm: input.maxTravelKm,
        equivalenceFloor: input.equivalenceFloor,
      });
      const stats = {
        ...plan.stats,
        alreadyPlaced: cohort.impact.patients.length - ranked.length,
        timings: { loadMs: Math.round(loaded - started), ...plan.timings },
      };
      return db.transaction().execute(async (trx) => {
        const run = await insertRun(
          trx,
          {
            disruptionId,
            params: {
              equivalenceFloor: params.equivalenceFloor,
              maxTravelKm: params.maxTravelKm,
              costs: params.costs,
              unitScale: params.unitScale,
            },
            stats,
            createdBy: access.actor.label,
            createdAt: clock.now(),
            solveMs: stats.timings.solveMs,
          },
          proposals,
        );
        await access.record(
          proposals.map((p) => ({
            action: 'rematch.plan',
            entity: 'match_run',
            entityId: run.id,
            patientId: p.patientId,
          })),
          trx,
        );
        return run;
      });
    },

    async getRun(id: string): Promise<MatchRun> {
      await access.require('rematch:read', {
        action: 'match_run.read',
        entity: 'match_run',
        entityId: id,
      });
      return existingRun(db, id);
    },

    async listRuns(
      filter: { disruptionId?: string | undefined },
      page: PageRequest,
    ): Promise<Page<MatchRun>> {
      await access.require('rematch:read', { action: 'match_run.list', entity: 'match_run' });
      return listRuns(db, filter, page);
    },

    /** A run's proposals, highest risk first. Each one read is audited. */
    async listProposals(
      runId: string,
      filter: { decision?: ProposalDecision | undefined; option?: ProposalOption | undefined },
      page: PageRequest,
    ): Promise<Page<MatchProposal>> {
      await access.require('rematch:read', {
        action: 'match_proposal.list',
        entity: 'match_run',
        entityId: runId,
      });
      await existingRun(db, runId);
      const result = await listProposals(db, runId, filter, page);
      await access.record(listed('match_proposal.list', 'match_proposal', result.items, { runId }));
      return result;
    },

    async getProposal(id: string): Promise<MatchProposal> {
      await access.require('rematch:read', {
        action: 'match_proposal.read',
        entity: 'match_proposal',
        entityId: id,
      });
      const proposal = await findProposal(db, id);
      if (!proposal) throw notFound('match_proposal', id);
      await auditProposals('match_proposal.read', [proposal]);
      return proposal;
    },

    /**
     * Decides one proposal at `version`: approve, reject or set back to pending, and/or swap in
     * another of its candidates (`optionId`, one of its alternatives). A committed proposal is
     * final. Throws NOT_FOUND, VERSION_CONFLICT, INVALID_TRANSITION, VALIDATION_FAILED.
     */
    async decide(
      id: string,
      version: number,
      change: { decision?: Exclude<ProposalDecision, 'committed'> | undefined; optionId?: string },
    ): Promise<MatchProposal> {
      await access.require('rematch:write', {
        action: 'match_proposal.decide',
        entity: 'match_proposal',
        entityId: id,
      });
      return db.transaction().execute(async (trx) => {
        const current = await findProposal(trx, id, true);
        if (!current) throw notFound('match_proposal', id);
        if (current.version !== version)
          throw versionConflict('match_proposal', id, version, current.version);
        if (current.decision === 'committed')
          throw new AppError('INVALID_TRANSITION', 'A committed proposal is final.', {
            id,
            decision: current.decision,
          });
        let swap: Partial<MatchProposal> = {};
        if (
          change.optionId !== undefined &&
          change.optionId !== current.explanation.chosen?.optionId
        ) {
          const { chosen, alternatives } = current.explanation;
          const next = alternatives.find((a) => a.optionId === change.optionId);
          if (!next)
            throw new AppError(
              'VALIDATION_FAILED',
              'Invalid optionId: it is not one of the proposal’s alternatives.',
              { issues: [{ field: 'optionId', problem: 'not an alternative of this proposal' }] },
            );
          const rest: ExplainedOption[] = [
            ...(chosen ? [chosen] : []),
            ...alternatives.filter((a) => a !== next),
          ].sort((a, b) => a.cost - b.cost || (a.optionId < b.optionId ? -1 : 1));
          swap = {
            option: next.option,
            targetId: next.targetId,
            cost: next.cost,
            explanation: {
              ...current.explanation,
              chosen: next,
              alternatives: rest,
              summary: `${next.targetName}: swapped in by ${access.actor.label} in review`,
            },
          };
        }
        const updated = await updateProposal(trx, id, {
          ...swap,
          decision: change.decision ?? current.decision,
          conflict: null,
          decidedBy: access.actor.label,
          decidedAt: clock.now(),
        });
        await auditProposals('match_proposal.decide', [updated], trx);
        return updated;
      });
    },

    /** Sets one decision on many proposals of a run (all not yet committed, without ids). */
    async decideMany(
      runId: string,
      decision: Exclude<ProposalDecision, 'committed'>,
      proposalIds: readonly string[] | null,
    ): Promise<{ changed: number }> {
      await access.require('rematch:write', {
        action: 'match_proposal.decide',
        entity: 'match_run',
        entityId: runId,
      });
      return db.transaction().execute(async (trx) => {
        await existingRun(trx, runId, true);
        const changed = await decideMany(
          trx,
          runId,
          proposalIds,
          decision,
          access.actor.label,
          clock.now(),
        );
        await auditProposals('match_proposal.decide', changed, trx);
        return { changed: changed.length };
      });
    },

    /**
     * Carries out every approved proposal in one transaction: a group seat becomes an active
     * enrollment, an outside provider a draft referral, an individual slot a booked appointment;
     * an approved *unmatched* is acknowledged (the patient goes to a person). Groups, then providers,
     * then clinicians are locked in id order (so concurrent commits queue, never deadlock) and
     * seats counted, open referrals and booked slots read after the locks, so a seat taken since the plan was made (by another
     * commit, an enrollment, a capacity cut) comes back as a conflict, set to pending with its
     * reason, and nothing else is lost; the database's seat limit stands behind the count.
     * Committing again finds nothing approved and changes nothing.
     */
    async commit(runId: string): Promise<CommitResult> {
      await access.require('rematch:write', {
        action: 'match_run.commit',
        entity: 'match_run',
        entityId: runId,
      });
      return db.transaction().execute(async (trx) => {
        const run = await existingRun(trx, runId, true);
        // Commits of one disruption's runs queue on its row, so a patient is placed once.
        if (run.disruptionId !== null) await findDisruption(trx, run.disruptionId, true);
        const placed =
          run.disruptionId === null
            ? new Set<string>()
            : await placedPatientIds(trx, run.disruptionId);
        const now = clock.now();
        const today = localDateOf(now, tz);
        const approved = (await runProposals(trx, runId, true)).filter(
          (p) => p.decision === 'approved',
        );
        const result: CommitResult = {
          runId,
          committed: { enrollments: 0, referrals: 0, appointments: 0, unmatched: 0 },
          conflicts: [],
        };
        if (approved.length === 0) return result;

        const ofOption = (option: ProposalOption) => approved.filter((p) => p.option === option);
        const target = (p: MatchProposal) => p.targetId ?? '';
        const conflicts = new Map<string, string>();
        for (const p of approved)
          if (p.option !== 'unmatched' && placed.has(p.patientId))
            conflicts.set(p.id, 'the patient was placed by another run of this disruption');
        const open = (option: ProposalOption) =>
          ofOption(option).filter((p) => !conflicts.has(p.id));
        const done = new Map<
          string,
          { entity: 'enrollment' | 'referral' | 'appointment'; id: string }
        >();

        // Group seats: counted under the groups' row locks, handed out in rank order.
        const seatProposals = open('group');
        const seats = await lockGroups(trx, [...new Set(seatProposals.map(target))].sort());
        const enrolled = await openEnrollments(
          trx,
          seatProposals.map((p) => ({ patientId: p.patientId, groupId: target(p) })),
        );
        const enrollments = [];
        for (const p of seatProposals) {
          const group = seats.get(target(p));
          if (!group || group.status !== 'active')
            conflicts.set(p.id, 'the group no longer takes patients');
          else if (enrolled.has(`${p.patientId}:${target(p)}`))
            conflicts.set(p.id, 'the patient is already enrolled in this group');
          else if (group.openSeats === 0)
            conflicts.set(p.id, 'the seat was taken since the plan was made');
          else {
            group.openSeats -= 1;
            const id = uuidv7();
            enrollments.push({ id, patientId: p.patientId, groupId: target(p), startsOn: today });
            done.set(p.id, { entity: 'enrollment', id });
          }
        }
        await insertEnrollments(trx, enrollments, now);

        // Outside providers: a draft referral each, while the provider still accepts.
        const referralProposals = open('outside_provider');
        const accepting = await acceptingProviders(
          trx,
          [...new Set(referralProposals.map(target))].sort(),
        );
        const referred = await openReferrals(
          trx,
          referralProposals.map((p) => ({ patientId: p.patientId, providerId: target(p) })),
        );
        const referrals = [];
        for (const p of referralProposals) {
          if (!accepting.has(target(p))) {
            conflicts.set(p.id, 'the provider no longer accepts new patients');
            continue;
          }
          if (referred.has(`${p.patientId}:${target(p)}`)) {
            conflicts.set(p.id, 'the patient already has an open referral to this provider');
            continue;
          }
          referred.add(`${p.patientId}:${target(p)}`);
          const id = uuidv7();
          referrals.push({
            id,
            patientId: p.patientId,
            providerId: target(p),
            proposalId: p.id,
            dueAt: null,
            reason: 'displaced by a disruption; re-matched to an outside provider',
            // Its transitions start with the first move; who created it is in the audit trail.
            history: [],
          });
          done.set(p.id, { entity: 'referral', id });
        }
        await insertReferrals(trx, referrals, now);

        // Individual slots: each clinician's free slots, handed out in rank order.
        const visitProposals = open('individual');
        await lockClinicians(trx, [...new Set(visitProposals.map(target))].sort());
        const clinicians = await appointmentTargets(trx, [], now, tz);
        const freeSlots = new Map(clinicians.map((c) => [c.id, [...c.slots]]));
        const appointments = [];
        for (const p of visitProposals) {
          const slot = freeSlots.get(target(p))?.shift();
          if (!slot) {
            conflicts.set(p.id, 'the clinician has no free slot left');
            continue;
          }
          const id = uuidv7();
          appointments.push({
            id,
            patientId: p.patientId,
            clinicianId: target(p),
            proposalId: p.id,
            urgent: p.tier === 'urgent',
            requestedAt: now,
            startsAt: slot.startsAt,
          });
          done.set(p.id, { entity: 'appointment', id });
        }
        await insertAppointments(trx, appointments, now);

        for (const p of approved) {
          const reason = conflicts.get(p.id);
          const made = done.get(p.id);
          if (reason !== undefined) {
            await updateProposal(trx, p.id, { decision: 'pending', conflict: reason });
            result.conflicts.push({ proposalId: p.id, patientId: p.patientId, reason });
          } else {
            await updateProposal(trx, p.id, {
              decision: 'committed',
              committedEntity: made?.entity ?? null,
              committedId: made?.id ?? null,
            });
            if (p.option === 'unmatched') result.committed.unmatched += 1;
          }
        }
        result.committed.enrollments = enrollments.length;
        result.committed.referrals = referrals.length;
        result.committed.appointments = appointments.length;
        await auditProposals('match_run.commit', approved, trx);
        return result;
      });
    },
  };
}
