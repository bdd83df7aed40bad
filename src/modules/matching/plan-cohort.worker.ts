import { serveTasks } from '../../shared/worker-thread.ts';
import { planCohort, type CohortPlanInput } from './plan-cohort.domain.ts';

// The cohort planner's worker thread (cohort-planner.ts starts it): plans one cohort per task.
serveTasks((input: CohortPlanInput) => planCohort(input, () => performance.now()));
