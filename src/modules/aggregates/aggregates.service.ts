import type { ServiceDeps } from '../../context.ts';
import type { AccessRecord } from '../audit/access.service.ts';
import { recentDischargeWindow } from '../patients/patients.domain.ts';
import { localDateOf } from '../../shared/clock.ts';
import {
  careGapWeek,
  enrollmentAggregate,
  minimumCellSize,
  weekEndings,
  type CareGapWeek,
  type EnrollmentAggregateRow,
} from './aggregates.domain.ts';
import { careGapWeeks, countEnrollments } from './aggregates.repository.ts';

/** A de-identified view: what it is, when it was taken, the suppression threshold, and its rows. */
export interface EnrollmentAggregate {
  view: 'enrollment';
  asOf: Date;
  minimumCellSize: number;
  rows: EnrollmentAggregateRow[];
}

export type AggregateService = ReturnType<typeof createAggregateService>;

/** De-identified aggregates (permission aggregates:read, which the auditor holds). */
export function createAggregateService({ db, clock, config, access }: ServiceDeps) {
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

    /**
     * The trend of days without care, week by week (the last `weeks` weeks, ending today in the
     * organization's time zone): patients in a course of treatment each week's last day, how many
     * had gone over 14 and over 28 days since their last attended care, how many had none yet, and
     * the median days. De-identified: counts from 1 to 10 are null. Throws UNAUTHENTICATED or
     * FORBIDDEN; UNKNOWN_REFERENCE is never thrown (an unknown area has no patients).
     */
    async daysWithoutCare(
      weeks: number,
      serviceAreaId: string | null,
    ): Promise<{
      asOf: Date;
      minimumCellSize: number;
      weeks: CareGapWeek[];
    }> {
      const record: AccessRecord = {
        action: 'aggregates.read',
        entity: 'aggregate',
        detail: { view: 'days-without-care', weeks, serviceAreaId },
      };
      await access.require('aggregates:read', record);
      const now = clock.now();
      const days = weekEndings(localDateOf(now, config.TZ_ORG), weeks);
      const rows = new Map(
        (await careGapWeeks(db, days, serviceAreaId)).map((row) => [row.week_ending, row]),
      );
      await access.record([record]);
      return {
        asOf: now,
        minimumCellSize,
        weeks: days.map((day) => {
          const row = rows.get(day);
          return careGapWeek({
            weekEnding: day,
            patients: row?.patients ?? 0,
            neverSeen: row?.never_seen ?? 0,
            over14Days: row?.over_14_days ?? 0,
            over28Days: row?.over_28_days ?? 0,
            medianDays: row?.median_days ?? null,
          });
        }),
      };
    },
  };
}
