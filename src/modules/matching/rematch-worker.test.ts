import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { cliActor } from '../auth/policy.domain.ts';
import { describeEachEngine } from '../../test/harness.ts';
import { createCohortPlanner, planInline } from './cohort-planner.ts';
import type { CohortPlan, CohortPlanInput } from './plan-cohort.domain.ts';
import { createMatchingService } from './matching.service.ts';

/*
 * A re-match leaves the event loop free while it plans (issue 11, item 4): between the last read
 * of the cohort and the first write of the plan, the process keeps turning. A heartbeat
 * (setImmediate, so it ticks at every turn of the loop) counts the turns; a Kysely plugin notes
 * the count as each query starts and as each result comes back. Planning on the request's own
 * thread leaves that gap with no turn but the one opening the write transaction; in the worker
 * thread, the loop turns all the while the plan is computed.
 */

interface Mark {
  at: 'start' | 'result';
  write: boolean;
  table: string | null;
  beat: number;
}

/** Notes the heartbeat count as each query starts and as its result comes back. */
function queryMarks(beat: () => number): { plugin: KyselyPlugin; marks: Mark[] } {
  const marks: Mark[] = [];
  const write = new WeakMap<object, { write: boolean; table: string | null }>();
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      const table =
        node.kind === 'InsertQueryNode' ? (node.into?.table.identifier.name ?? null) : null;
      const isWrite = node.kind !== 'SelectQueryNode' && node.kind !== 'RawNode';
      write.set(queryId, { write: isWrite, table });
      marks.push({ at: 'start', write: isWrite, table, beat: beat() });
      return node satisfies RootOperationNode;
    },
    transformResult({ result, queryId }) {
      const query = write.get(queryId);
      marks.push({
        at: 'result',
        write: query?.write ?? false,
        table: query?.table ?? null,
        beat: beat(),
      });
      return Promise.resolve(result);
    },
  };
  return { plugin, marks };
}

describeEachEngine('a re-match plans off the event loop', (use) => {
  const planner = createCohortPlanner();
  afterAll(() => planner.close());

  it('keeps the loop turning between reading the cohort and writing its plan, and plans the same', async () => {
    const { context } = use();
    const actor = cliActor('test');
    const services = context.servicesFor(actor);
    await services.seed.seed({ scale: 'demo', seed: 1 });
    // Half the clinicians strike: a cohort of hundreds, seconds of planning on one thread.
    const clinicians = await context.db
      .selectFrom('clinician')
      .select('id')
      .where('status', '=', 'active')
      .orderBy('id')
      .execute();
    const strike = await services.disruptions.create({
      kind: 'strike',
      title: 'Half the clinicians strike',
      scope: {
        clinicianIds: clinicians.filter((_, i) => i % 2 === 0).map((c) => c.id),
        locationIds: [],
        groupIds: [],
        serviceAreaIds: [],
      },
      startsOn: '2025-03-03',
      endsOn: null,
    });
    await services.disruptions.apply(strike.id);

    let beats = 0;
    let beating = true;
    const heartbeat = () => {
      beats += 1;
      if (beating) setImmediate(heartbeat);
    };
    const { plugin, marks } = queryMarks(() => beats);
    const asked: { input: CohortPlanInput; plan: CohortPlan }[] = [];
    const matching = createMatchingService({
      db: context.db.withPlugin(plugin),
      clock: context.clock,
      config: context.config,
      access: context.accessFor(actor),
      planCohort: async (input) => {
        const plan = await planner.plan(input);
        asked.push({ input, plan });
        return plan;
      },
    });
    // The first plan starts the worker thread; the second shows the planning alone.
    await matching.rematch(strike.id);
    marks.length = 0;
    setImmediate(heartbeat);
    const run = await matching.rematch(strike.id).finally(() => {
      beating = false;
    });
    expect(run.stats.patients).toBeGreaterThan(100);

    const firstWrite = marks.findIndex((m) => m.at === 'start' && m.table === 'match_run');
    expect(firstWrite).toBeGreaterThan(0);
    const reads = marks.slice(0, firstWrite);
    expect(reads.every((m) => !m.write)).toBe(true);
    const lastRead = reads.filter((m) => m.at === 'result').at(-1);
    const write = marks[firstWrite];
    if (!lastRead || !write) throw new Error('the re-match reads, then writes');
    // Thousands of turns while the worker plans; on the request's thread, one or two (the
    // transaction's BEGIN) at most.
    expect(write.beat - lastRead.beat).toBeGreaterThan(1_000);

    // The worker's plan is the one the calling thread would make, to the last explanation.
    const last = asked.at(-1);
    if (!last) throw new Error('the re-match asked the planner');
    const here = await planInline(last.input);
    expect(last.plan.proposals).toEqual(here.proposals);
    expect(last.plan.stats).toEqual(here.stats);
  });
});
