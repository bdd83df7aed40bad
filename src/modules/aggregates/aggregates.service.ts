import type { ServiceDeps } from '../../context.ts';
import type { AccessRecord } from '../audit/access.service.ts';
import { recentDischargeWindow } from '../patients/patients.domain.ts';
import {
  enrollmentAggregate,
  minimumCellSize,
  type EnrollmentAggregateRow,
} from './aggregates.domain.ts';
import { countEnrollments } from './aggregates.repository.ts';

/** A de-identified view: what it is, when it was taken, the suppression threshold, and its rows. */
export interface EnrollmentAggregate {
  view: 'enrollment';
  asOf: Date;
  minimumCellSize: number;
  rows: EnrollmentAggregateRow[];
}

export type AggregateService = ReturnType<typeof createAggregateService>;

/** De-identified aggregates (permission aggregates:read, which the auditor holds). */
export function createAggregateService({ db, clock, access }: ServiceDeps) {
  return {
    /**
     * Groups, seats and patients per service area and group specialty, with a totals row per
     * area; patient counts from 1 to 10, and any that would reveal one, are null. "Recently
     * discharged" is judged at the clock's now. Throws UNAUTHENTICATED or FORBIDDEN.
     */
    async enrollment(): Promise<EnrollmentAggregate> {
      const record: AccessRecord = {
        action: 'aggregates.read',
        entity: 'aggregate',
        detail: { view: 'enrollment' },
      };
      await access.require('aggregates:read', record);
      const now = clock.now();
      const areas = await countEnrollments(db, recentDischargeWindow(now));
      await access.record([record]);
      return { view: 'enrollment', asOf: now, minimumCellSize, rows: enrollmentAggregate(areas) };
    },
  };
}
