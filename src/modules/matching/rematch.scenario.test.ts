import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { Context } from '../../context.ts';
import { cliActor } from '../auth/policy.domain.ts';
import { scenarioNames } from '../seed/scenario.domain.ts';
import { collectPages, describeEachEngine, rowCounts } from '../../test/harness.ts';
import type { CommitResult } from './matching.service.ts';
import type { MatchProposal, MatchRun } from './plan.domain.ts';

/*
 * The demo story of DOMAIN.md, end to end through the API: the Woodland Hills perinatal
 * therapists strike; the postpartum circles stop; the plan places the mothers in baby-friendly
 * perinatal seats or with the PMH-C provider, never in the general anxiety group, and says
 * honestly how many are left without an equivalent place. Figures are checked against the
 * database by queries of their own.
 */

type Proposal = Omit<MatchProposal, 'decidedAt'>;

function allProposals(app: FastifyInstance, runId: string): Promise<Proposal[]> {
  return collectPages<Proposal>(app, `/api/v1/match-runs/${runId}/proposals?limit=500`);
}

async function post<T>(app: FastifyInstance, url: string, payload?: object): Promise<T> {
  const response = await app.inject({ method: 'POST', url: `/api/v1${url}`, payload });
  if (response.statusCode >= 300)
    throw new Error(`POST ${url} answered ${response.statusCode}: ${response.body}`);
  return response.json<T>();
}

async function groupsNamed(context: Context, names: readonly string[]) {
  return context.db
    .selectFrom('therapy_group')
    .select(['id', 'name', 'specialty', 'accommodations'])
    .where('name', 'in', [...names])
    .execute();
}

/** Every group's seat count agrees with its active enrollments and stays within capacity. */
async function seatsHold(context: Context): Promise<boolean> {
  const { rows } = await sql<{ bad: number }>`
    select count(*)::int as bad from therapy_group g
     where g.seats_taken <> (select count(*) from enrollment e
                              where e.group_id = g.id and e.status = 'active')
        or g.seats_taken > g.capacity`.execute(context.db);
  return rows[0]?.bad === 0;
}

describeEachEngine('the Woodland Hills strike, end to end', (use) => {
  it('displaces the mothers, plans them into equivalent care, and commits exactly once', async () => {
    const { app, context } = use();
    await context.servicesFor(cliActor('test')).seed.seed({ scale: 'demo', seed: 1 });

    const drafts = await app.inject({ method: 'GET', url: '/api/v1/disruptions?status=draft' });
    const [strike] = drafts.json<{ items: { id: string; title: string }[] }>().items;
    if (!strike) throw new Error('the demo seed has a draft strike');
    expect(strike.title).toBe('Woodland Hills perinatal therapists strike');

    const postpartum = await groupsNamed(context, scenarioNames.postpartumGroups);
    expect(postpartum).toHaveLength(4);
    const [anxiety] = await groupsNamed(context, [scenarioNames.anxietyGroup]);
    if (!anxiety) throw new Error('the demo seed has the anxiety group');
    const mothers = await context.db
      .selectFrom('enrollment')
      .select('patient_id')
      .where(
        'group_id',
        'in',
        postpartum.map((g) => g.id),
      )
      .where('status', '=', 'active')
      .execute();
    const motherIds = new Set(mothers.map((m) => m.patient_id));
    expect(motherIds.size).toBe(48);

    // Simulate: the four circles stop, and every mother in them is displaced.
    const { impact } = await post<{
      impact: {
        sessions: { groups: { groupId: string }[]; toCancel: number };
        patients: { patientId: string }[];
      };
    }>(app, `/disruptions/${strike.id}/simulate`);
    const stopped = new Set(impact.sessions.groups.map((g) => g.groupId));
    for (const g of postpartum) expect(stopped.has(g.id)).toBe(true);
    expect(stopped.has(anxiety.id)).toBe(false);
    const displaced = new Set(impact.patients.map((p) => p.patientId));
    for (const id of motherIds) expect(displaced.has(id)).toBe(true);

    const applied = await post<{ sessionsCancelled: number }>(
      app,
      `/disruptions/${strike.id}/apply`,
    );
    expect(applied.sessionsCancelled).toBe(impact.sessions.toCancel);

    // Plan.
    const run = await post<MatchRun>(app, `/disruptions/${strike.id}/rematch`);
    expect(run.stats.optimal).toBe(true);
    expect(run.stats.patients).toBe(displaced.size);
    const proposals = await allProposals(app, run.id);
    expect(proposals).toHaveLength(displaced.size);
    expect(proposals.map((p) => p.rank)).toEqual(proposals.map((_, i) => i));
    expect(Object.values(run.stats.byOption).reduce((a, b) => a + b, 0)).toBe(proposals.length);

    const pmhc = await context.db
      .selectFrom('outside_provider')
      .select(['id', 'weekly_capacity', 'accommodations'])
      .where('organization', '=', scenarioNames.providerOrganization)
      .executeTakeFirstOrThrow();
    const providers = new Map(
      (
        await context.db
          .selectFrom('outside_provider')
          .select(['id', 'certifications', 'accommodations'])
          .execute()
      ).map((p) => [p.id, p]),
    );
    const groups = new Map(
      (
        await context.db
          .selectFrom('therapy_group')
          .select(['id', 'specialty', 'accommodations'])
          .execute()
      ).map((g) => [g.id, g]),
    );

    const motherProposals = proposals.filter((p) => motherIds.has(p.patientId));
    let toPmhc = 0;
    for (const p of motherProposals) {
      const needsBaby = p.explanation.requires.includes('baby_friendly');
      if (p.option === 'group') {
        expect(p.targetId).not.toBe(anxiety.id);
        const group = groups.get(p.targetId ?? '');
        expect(['perinatal_mood_anxiety', 'birth_trauma']).toContain(group?.specialty);
        if (needsBaby) expect(group?.accommodations).toContain('baby_friendly');
      }
      if (p.option === 'outside_provider') {
        const provider = providers.get(p.targetId ?? '');
        if (needsBaby) expect(provider?.accommodations).toContain('baby_friendly');
        if (p.targetId === pmhc.id) toPmhc += 1;
      }
      // No alternative offered for review is the anxiety group either.
      for (const a of p.explanation.alternatives) expect(a.targetId).not.toBe(anxiety.id);
    }
    // The PMH-C provider is used, within her weekly capacity.
    expect(toPmhc).toBeGreaterThan(0);
    expect(toPmhc).toBeLessThanOrEqual(pmhc.weekly_capacity);

    // The shortfall counts exactly the unmatched, by shape.
    const unmatched = proposals.filter((p) => p.option === 'unmatched' && p.explanation.need);
    expect(run.stats.shortfall.reduce((n, line) => n + line.patients, 0)).toBe(unmatched.length);
    const unmatchedMothers = motherProposals.filter((p) => p.option === 'unmatched');
    if (unmatchedMothers.length > 0) {
      const line = run.stats.shortfall.find(
        (l) => l.specialty === 'perinatal_mood_anxiety' && l.serviceArea === 'Woodland Hills',
      );
      expect(line?.text).toMatch(/^Woodland Hills, .*perinatal: \d+ patients? without/);
      for (const p of unmatchedMothers) expect(p.explanation.summary).toMatch(/^unmatched: /);
    }

    // Approve everything and commit.
    await post(app, `/match-runs/${run.id}/decisions`, { decision: 'approved' });
    const committed = await post<CommitResult>(app, `/match-runs/${run.id}/commit`);
    expect(committed.conflicts).toEqual([]);
    expect(committed.committed.enrollments).toBe(run.stats.byOption.group);
    expect(committed.committed.referrals).toBe(run.stats.byOption.outside_provider);
    expect(committed.committed.appointments).toBe(run.stats.byOption.individual);
    const enrolledNow = await context.db
      .selectFrom('enrollment')
      .select(['patient_id', 'group_id'])
      .where('starts_on', '=', '2025-03-03')
      .where('status', '=', 'active')
      .execute();
    const seatProposals = proposals.filter((p) => p.option === 'group');
    expect(new Set(enrolledNow.map((e) => `${e.patient_id}:${e.group_id}`))).toEqual(
      new Set(seatProposals.map((p) => `${p.patientId}:${p.targetId ?? ''}`)),
    );
    expect(await seatsHold(context)).toBe(true);

    // Committing again changes nothing.
    const before = await rowCounts(context);
    const again = await post<CommitResult>(app, `/match-runs/${run.id}/commit`);
    expect(again.committed).toEqual({
      enrollments: 0,
      referrals: 0,
      appointments: 0,
      unmatched: 0,
    });
    expect({ ...(await rowCounts(context)), audit_event: 0 }).toEqual({
      ...before,
      audit_event: 0,
    });

    // A new run plans only those not yet placed.
    const placedCount = proposals.filter((p) => p.option !== 'unmatched').length;
    const rerun = await post<MatchRun>(app, `/disruptions/${strike.id}/rematch`);
    expect(rerun.stats.alreadyPlaced).toBe(placedCount);
    expect(rerun.stats.patients).toBe(displaced.size - placedCount);
  });

  it('puts a patient whose referral is declined back in the queue, that provider excluded', async () => {
    const { app, context } = use();
    const referral = await context.db
      .selectFrom('referral')
      .select(['id', 'patient_id', 'provider_id', 'version'])
      .where('status', '=', 'draft')
      .where('proposal_id', 'is not', null)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const move = (version: number, body: object) =>
      post<{ referral: { version: number }; replan: MatchRun | null }>(
        app,
        `/referrals/${referral.id}/transitions`,
        { version, ...body },
      );
    const sent = await move(referral.version, { to: 'sent' });
    expect(sent.replan).toBeNull();
    const declined = await move(sent.referral.version, {
      to: 'declined',
      declineReason: 'not_eligible',
    });
    const replan = declined.replan;
    if (!replan) throw new Error('a declined referral of a displaced patient is planned again');
    expect(replan.stats.patients).toBe(1);
    const [proposal] = await allProposals(app, replan.id);
    expect(proposal?.patientId).toBe(referral.patient_id);
    expect(proposal?.targetId).not.toBe(referral.provider_id);
    for (const a of proposal?.explanation.alternatives ?? [])
      expect(a.targetId).not.toBe(referral.provider_id);
  });

  it('turns a seat taken since planning into a conflict to re-plan, and loses nothing else', async () => {
    const { app, context } = use();
    const drafts = await app.inject({ method: 'GET', url: '/api/v1/disruptions?status=active' });
    const [strike] = drafts.json<{ items: { id: string }[] }>().items;
    if (!strike) throw new Error('the strike was applied above');
    // Two plans from the same state, both approved: the second commit finds its patients placed.
    const first = await post<MatchRun>(app, `/disruptions/${strike.id}/rematch`);
    const second = await post<MatchRun>(app, `/disruptions/${strike.id}/rematch`);
    // The same state gives the same plan.
    const planOf = async (run: MatchRun) =>
      (await allProposals(app, run.id)).map((p) => [p.patientId, p.option, p.targetId, p.cost]);
    expect(await planOf(second)).toEqual(await planOf(first));
    expect(second.stats.objective).toBe(first.stats.objective);
    for (const run of [first, second])
      await post(app, `/match-runs/${run.id}/decisions`, { decision: 'approved' });
    const results = await Promise.all(
      [first, second].map((run) => post<CommitResult>(app, `/match-runs/${run.id}/commit`)),
    );
    const placed = (r: CommitResult) =>
      r.committed.enrollments + r.committed.referrals + r.committed.appointments;
    const placedByBoth = results.map(placed);
    const conflictsByBoth = results.map((r) => r.conflicts.length);
    // Whichever committed first placed its patients; the other's same proposals are conflicts.
    expect(Math.min(...placedByBoth)).toBe(0);
    expect(Math.max(...conflictsByBoth)).toBe(Math.max(...placedByBoth));
    for (const r of results)
      for (const c of r.conflicts) expect(c.reason).toMatch(/placed by another run|seat was taken/);
    expect(await seatsHold(context)).toBe(true);
    const loser = results.find((r) => r.conflicts.length > 0);
    if (loser) {
      const back = await allProposals(app, loser.runId);
      const conflicted = back.filter((p) => p.conflict !== null);
      expect(conflicted.length).toBe(loser.conflicts.length);
      for (const p of conflicted) expect(p.decision).toBe('pending');
    }
  });
});
