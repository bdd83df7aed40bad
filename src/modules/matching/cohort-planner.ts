import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../shared/errors.ts';
import { createWorkerThread, WorkerCrashError } from '../../shared/worker-thread.ts';
import { planCohort, type CohortPlan, type CohortPlanInput } from './plan-cohort.domain.ts';

/** Plans a cohort (plan-cohort.domain.ts) and answers when done. */
export type PlanCohort = (input: CohortPlanInput) => Promise<CohortPlan>;

export interface CohortPlanner {
  plan: PlanCohort;
  close(): Promise<void>;
}

/**
 * Plans on the calling thread: for services built outside a context (a bench that seeds). The
 * API never uses it, since it holds the event loop for as long as the plan takes.
 */
export const planInline: PlanCohort = (input) =>
  Promise.resolve(planCohort(input, () => performance.now()));

/**
 * The context's cohort planner: a worker thread, started at the first re-match, so that planning
 * a region's cohort (seconds of CPU) never stops the API answering. A worker that runs out of
 * memory fails that re-match with UNPROCESSABLE (the cohort is too large to plan at once; plan it
 * in parts with `patientIds`); any other crash is an internal error. Either way the next re-match
 * gets a new worker.
 */
export function createCohortPlanner(): CohortPlanner {
  const thread = createWorkerThread<CohortPlanInput, CohortPlan>(
    // `.ts` from the sources, `.js` in the compiled build.
    new URL(`./plan-cohort.worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
    'cohort-planner',
  );
  return {
    async plan(input) {
      try {
        return await thread.run(input);
      } catch (error) {
        if (error instanceof WorkerCrashError && error.outOfMemory)
          throw new AppError(
            'UNPROCESSABLE',
            'The cohort is too large to plan at once; plan it in parts (patientIds).',
            { patients: input.patients.length },
          );
        throw error;
      }
    },
    close: () => thread.close(),
  };
}
