import type { ServiceDeps } from '../../context.ts';
import { versionConflict } from '../../db/versioned.ts';
import type { Db } from '../../db/database.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { assertPeriod } from '../../shared/period.ts';
import type { Page, PageRequest } from '../../shared/page.ts';
import { addBusinessDays } from '../timely-access/calendar.domain.ts';
import { currentCalendar } from '../timely-access/timely-access.service.ts';
import { listCareGaps } from '../timely-access/care-gaps.repository.ts';
import { createMatchingService } from '../matching/matching.service.ts';
import type { MatchRun } from '../matching/plan.domain.ts';
import {
  assertContactAllowed,
  failedAttemptsToFlag,
  failedInARow,
  failedStatuses,
  resolveTransition,
  type OutreachChannel,
  type OutreachOutcome,
  type Referral,
  type TransitionInput,
} from './referrals.domain.ts';
import {
  applyTransition,
  disruptionOfProposal,
  findReferral,
  insertOutreach,
  listReferrals,
  lockProviderPlaces,
  markProviderFull,
  patientContact,
  patientOutreach,
  referralCounts,
  referralsNeedingAction,
  type ActionReason,
  type OutreachAttempt,
  type ReferralFilter,
} from './referrals.repository.ts';
import { givenKeys, listed } from '../audit/access.service.ts';

export type ReferralService = ReturnType<typeof createReferralService>;

/** How long a provider has to answer a referral, in business days after it is sent. */
export const responseBusinessDays = 2;

/**
 * Referrals to outside providers, followed until the patient is seen. A referral names a patient:
 * reading needs patients:read, changing it patients:write, and each one read or changed is
 * audited.
 */
export function createReferralService(deps: ServiceDeps) {
  const { db, clock, config, access } = deps;
  const tz = config.TZ_ORG;
  const matching = createMatchingService(deps);

  function audit(action: string, referrals: readonly Referral[], trx?: Db, detail = {}) {
    return access.record(
      referrals.map((r) => ({
        action,
        entity: 'referral',
        entityId: r.id,
        patientId: r.patientId,
        detail: { providerId: r.providerId, status: r.status, ...detail },
      })),
      trx,
    );
  }

  return {
    async get(id: string): Promise<Referral> {
      await access.require('patients:read', {
        action: 'referral.read',
        entity: 'referral',
        entityId: id,
      });
      const referral = await findReferral(db, id);
      if (!referral) throw notFound('referral', id);
      await audit('referral.read', [referral]);
      return referral;
    },

    async list(filter: ReferralFilter, page: PageRequest): Promise<Page<Referral>> {
      await access.require('patients:read', { action: 'referral.list', entity: 'referral' });
      const result = await listReferrals(db, filter, page);
      await access.record(
        listed('referral.list', 'referral', result.items, {
          filters: givenKeys(filter),
        }),
      );
      return result;
    },

    /** The action worklist, highest risk first (at most `limit`). */
    async needingAction(
      limit: number,
    ): Promise<{ referral: Referral; reason: ActionReason; tierRank: number }[]> {
      await access.require('patients:read', { action: 'referral.list', entity: 'referral' });
      const items = await referralsNeedingAction(db, clock.now(), limit);
      const shown = items.map((i) => i.referral);
      await access.record(listed('referral.list', 'referral', shown, { needs: 'action' }));
      return items;
    },

    /**
     * Moves a referral along its state machine at `version`. Sending sets the response deadline
     * (2 business days) and, if none yet, the patient's timely-access deadline; accepting takes
     * one of the provider's weekly places (CONFLICT when none is left, counted under the
     * provider's row lock so concurrent accepts never overbook); a decline for lack of capacity
     * marks the provider full until its figure is confirmed again. Throws NOT_FOUND,
     * VERSION_CONFLICT, INVALID_TRANSITION, VALIDATION_FAILED, CONFLICT.
     */
    async transition(
      id: string,
      version: number,
      input: TransitionInput,
    ): Promise<{ referral: Referral; replan: MatchRun | null }> {
      await access.require('patients:write', {
        action: 'referral.transition',
        entity: 'referral',
        entityId: id,
      });
      const now = clock.now();
      // Only sending sets deadlines in business days.
      const calendar = input.to === 'sent' ? await currentCalendar(db, tz, now) : null;
      const referral = await db.transaction().execute(async (trx) => {
        const current = await findReferral(trx, id, true);
        if (!current) throw notFound('referral', id);
        if (current.version !== version)
          throw versionConflict('referral', id, version, current.version);
        const change = resolveTransition(current, input, now, access.actor.label);
        const extra: { responseDueAt?: Date; dueAt?: Date } = {};
        if (calendar !== null) {
          extra.responseDueAt = addBusinessDays(calendar, now, responseBusinessDays);
          if (current.dueAt === null) {
            const gap = await listCareGaps(
              trx,
              { patientId: current.patientId },
              { after: null, limit: 1 },
              now,
              tz,
            );
            extra.dueAt = gap.items[0]?.deadline ?? addBusinessDays(calendar, now, 10);
          }
        }
        if (input.to === 'accepted') {
          const places = await lockProviderPlaces(trx, current.providerId, now);
          if (!places || places.acceptedThisWeek >= places.weeklyCapacity)
            throw new AppError('CONFLICT', 'The provider has no place left this week.', {
              providerId: current.providerId,
              weeklyCapacity: places?.weeklyCapacity ?? 0,
              acceptedThisWeek: places?.acceptedThisWeek ?? 0,
            });
        }
        if (input.to === 'declined' && input.declineReason === 'no_capacity')
          await markProviderFull(trx, current.providerId, now);
        const updated = await applyTransition(trx, id, version, { ...change, ...extra });
        await audit('referral.transition', [updated], trx, { from: current.status });
        return updated;
      });
      // Back to the re-match queue, that provider excluded: the matcher proposes the next best.
      const disruptionId =
        backToQueue(referral) && referral.proposalId !== null
          ? await disruptionOfProposal(db, referral.proposalId)
          : null;
      const replan =
        disruptionId === null
          ? null
          : await matching.rematch(disruptionId, { patientIds: [referral.patientId] });
      return { referral, replan };
    },

    /**
     * Records a contact attempt, as the patient's preferences allow (CONFLICT otherwise). Returns
     * the attempt and whether the patient now needs a person: three failed attempts in a row.
     */
    async recordOutreach(input: {
      patientId: string;
      referralId?: string | undefined;
      channel: OutreachChannel;
      outcome: OutreachOutcome;
      at?: Date | undefined;
      note?: string | undefined;
    }): Promise<{ attempt: OutreachAttempt; failedInARow: number; needsPerson: boolean }> {
      const record = { action: 'outreach.create', entity: 'outreach', patientId: input.patientId };
      await access.require('patients:write', record);
      return db.transaction().execute(async (trx) => {
        const patient = await patientContact(trx, input.patientId);
        if (!patient) throw notFound('patient', input.patientId);
        if (input.referralId !== undefined) {
          const referral = await findReferral(trx, input.referralId);
          if (referral?.patientId !== input.patientId)
            throw new AppError('UNKNOWN_REFERENCE', 'No referral of this patient with that id.', {
              field: 'referralId',
            });
        }
        assertContactAllowed(patient.preferences, input.channel, input.outcome);
        const attempt = await insertOutreach(trx, {
          patientId: input.patientId,
          referralId: input.referralId ?? null,
          channel: input.channel,
          at: input.at ?? clock.now(),
          outcome: input.outcome,
          note: input.note ?? null,
          recordedBy: access.actor.label,
        });
        const failed = failedInARow(
          (await patientOutreach(trx, input.patientId)).map((a) => a.outcome),
        );
        await access.record(
          [
            {
              ...record,
              entityId: attempt.id,
              detail: { channel: input.channel, outcome: input.outcome },
            },
          ],
          trx,
        );
        return { attempt, failedInARow: failed, needsPerson: failed >= failedAttemptsToFlag };
      });
    },

    /**
     * Closed-loop measures for referrals sent in [from, to), or of a disruption's patients: each a
     * numerator over a denominator with what it measures. Throws VALIDATION_FAILED for a bad period.
     */
    async metrics(filter: { from: Date; to: Date; disruptionId?: string | undefined }) {
      await access.require('compliance:read', { action: 'referral.metrics', entity: 'referral' });
      assertPeriod(filter);
      await currentCalendar(db, tz, clock.now());
      const c = await referralCounts(db, filter, tz);
      const measure = (numerator: number, denominator: number, definition: string) => ({
        numerator,
        denominator,
        rate: denominator === 0 ? null : numerator / denominator,
        definition,
      });
      return {
        from: filter.from,
        to: filter.to,
        disruptionId: filter.disruptionId ?? null,
        sent: c.sent,
        accepted: measure(c.accepted, c.sent, 'Referrals the provider accepted, of those sent.'),
        completed: measure(
          c.completed,
          c.sent,
          'Referrals whose first visit was attended, of those sent.',
        ),
        completedInTime: measure(
          c.completedInTime,
          c.sent,
          "Referrals whose first visit was attended before the patient's timely-access deadline, of those sent.",
        ),
        medianBusinessDaysToFirstVisit: c.medianBusinessDays,
      };
    },

    async outreach(
      patientId: string,
    ): Promise<{ attempts: OutreachAttempt[]; failedInARow: number; needsPerson: boolean }> {
      const record = { action: 'outreach.list', entity: 'outreach', patientId };
      await access.require('patients:read', record);
      if (!(await patientContact(db, patientId))) throw notFound('patient', patientId);
      const attempts = await patientOutreach(db, patientId);
      await access.record([record]);
      const failed = failedInARow(attempts.map((a) => a.outcome));
      return { attempts, failedInARow: failed, needsPerson: failed >= failedAttemptsToFlag };
    },
  };
}

/** Whether a referral's outcome sends the patient back to the re-match queue. */
export const backToQueue = (referral: Referral): boolean =>
  failedStatuses.includes(referral.status);
