import { createHash } from 'node:crypto';
import type { ServiceDeps } from '../../context.ts';
import type { Db } from '../../db/database.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { uuidPattern } from '../../shared/ids.ts';
import { assertPeriod } from '../../shared/period.ts';
import type { Page } from '../../shared/page.ts';
import { localDateOf } from '../../shared/clock.ts';
import {
  businessCalendar,
  businessDayRows,
  type BusinessCalendar,
  type LocalDate,
} from './calendar.domain.ts';
import {
  calendarInputs,
  deleteClosure,
  insertClosure,
  listClosures,
  writeBusinessDays,
  type Closure,
} from './calendar.repository.ts';
import {
  rates,
  requestVerdicts,
  type Grouping,
  type RateRow,
  type RequestFilter,
  type RequestVerdict,
} from './timely-access.repository.ts';
import { refreshPatientClocks } from './patient-clocks.repository.ts';
import {
  careGapWorklist,
  listCareGaps,
  type CareGap,
  type CareGapFilter,
  type GapCursor,
} from './care-gaps.repository.ts';
import type { Standard } from './rules.domain.ts';
import { listed } from '../audit/access.service.ts';

export type TimelyAccessService = ReturnType<typeof createTimelyAccessService>;

/** The first year the calendar covers: older requests are not measured. */
export const calendarFromYear = 2000;

/** DMHC expects each network to reach 70% on urgent and on non-urgent appointments. */
export const complianceThreshold = 0.7;

export const standardDefinitions = {
  urgent_48_hours:
    'Urgent, no prior authorization: the earliest offered appointment within 48 hours of the request.',
  urgent_96_hours:
    'Urgent, prior authorization required: the earliest offered appointment within 96 hours.',
  initial_10_business_days:
    'Non-urgent initial, non-physician provider: within 10 business days of the request.',
  initial_15_business_days: 'Non-urgent initial, psychiatrist: within 15 business days.',
  follow_up_10_business_days:
    'Non-urgent follow-up in a course of treatment (SB 221): within 10 business days of the prior appointment.',
  fuh_7_days:
    'After a psychiatric discharge (HEDIS FUH): a visit within 7 days, not counting the day of discharge.',
  fuh_30_days: 'After a psychiatric discharge (HEDIS FUH): a visit within 30 days.',
} as const satisfies Record<Standard, string>;

// The last calendar built, by what it was built from: every read of care clocks needs one, and
// building it (29 years of holidays, sorted and hashed) cost more than the read.
let lastCalendar: { key: string; calendar: BusinessCalendar; fingerprint: string } | null = null;

function calendarOf(timeZone: string, toYear: number, closures: readonly LocalDate[]) {
  const key = JSON.stringify([timeZone, toYear, closures]);
  if (lastCalendar?.key !== key) {
    const calendar = businessCalendar({ fromYear: calendarFromYear, toYear, timeZone, closures });
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([timeZone, calendarFromYear, toYear, [...calendar.holidays].sort()]))
      .digest('hex');
    lastCalendar = { key, calendar, fingerprint };
  }
  return lastCalendar;
}

/**
 * The organization's business-day calendar (California state holidays and the operator's
 * closures, 2000 to two years ahead), and the business_day table kept in step with it.
 */
export async function currentCalendar(
  db: Db,
  timeZone: string,
  now: Date,
): Promise<BusinessCalendar> {
  const stored = await calendarInputs(db);
  const toYear = Number(localDateOf(now, timeZone).slice(0, 4)) + 2;
  const { calendar, fingerprint } = calendarOf(timeZone, toYear, stored.closures);
  if (stored.fingerprint !== fingerprint)
    await db
      .transaction()
      .execute((trx) =>
        writeBusinessDays(
          trx,
          { fingerprint, timeZone, fromYear: calendarFromYear, toYear },
          businessDayRows(calendar),
        ),
      );
  return calendar;
}

export interface Rate extends RateRow {
  /** met + missed: excepted and pending requests are shown, never counted in the rate. */
  denominator: number;
  /** met / denominator, or null when there is nothing to measure. */
  rate: number | null;
  /** Below DMHC's 70% (only for a network grouping, where the threshold applies). */
  belowThreshold: boolean;
  definition: string;
}

function encodeGapCursor(cursor: GapCursor): string {
  return Buffer.from(
    JSON.stringify([cursor.rank, cursor.deadline.toISOString(), cursor.patientId]),
  ).toString('base64url');
}

function decodeGapCursor(text: string): GapCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3) {
      const [rank, deadline, patientId] = value as unknown[];
      const at = new Date(String(deadline));
      if (
        typeof rank === 'number' &&
        Number.isInteger(rank) &&
        !Number.isNaN(at.getTime()) &&
        typeof patientId === 'string' &&
        uuidPattern.test(patientId)
      )
        return { rank, deadline: at, patientId };
    }
  } catch {
    // fall through: not one of ours
  }
  throw new AppError('BAD_CURSOR', 'The cursor is not one this server gave out.');
}

/**
 * Timely access: rates need compliance:read (aggregates, no patient in them); the calendar's
 * closures are read with catalogue:read and changed by an administrator (calendar:write), audited.
 */
export function createTimelyAccessService({ db, clock, config, access }: ServiceDeps) {
  const tz = config.TZ_ORG;
  return {
    async calendar(): Promise<{
      timeZone: string;
      fromYear: number;
      toYear: number;
      holidays: LocalDate[];
      closures: Closure[];
    }> {
      await access.require('catalogue:read', { action: 'calendar.read', entity: 'calendar' });
      const calendar = await currentCalendar(db, tz, clock.now());
      return {
        timeZone: calendar.timeZone,
        fromYear: calendar.fromYear,
        toYear: calendar.toYear,
        holidays: [...calendar.holidays].sort(),
        closures: await listClosures(db),
      };
    },

    /** Throws DUPLICATE for a day already closed. */
    async addClosure(day: LocalDate, reason: string): Promise<Closure> {
      await access.require('calendar:write', { action: 'calendar.close', entity: 'calendar' });
      return db.transaction().execute(async (trx) => {
        const closure = await insertClosure(trx, { day, reason, addedBy: access.actor.label });
        await access.record(
          [{ action: 'calendar.close', entity: 'calendar', detail: { day } }],
          trx,
        );
        return closure;
      });
    },

    /** Throws NOT_FOUND when the day was not closed. */
    async removeClosure(day: LocalDate): Promise<void> {
      await access.require('calendar:write', { action: 'calendar.reopen', entity: 'calendar' });
      await db.transaction().execute(async (trx) => {
        if (!(await deleteClosure(trx, day))) throw notFound('calendar_closure', day);
        await access.record(
          [{ action: 'calendar.reopen', entity: 'calendar', detail: { day } }],
          trx,
        );
      });
    },

    /**
     * The care-gap worklist: patients in a course of treatment, worst risk first, then the
     * nearest deadline. Each patient listed is audited.
     */
    async careGaps(
      filter: Omit<CareGapFilter, 'patientId'>,
      page: { cursor?: string | undefined; limit: number },
    ): Promise<Page<CareGap>> {
      await access.require('patients:read', { action: 'care_gap.list', entity: 'patient' });
      const after = page.cursor === undefined ? null : decodeGapCursor(page.cursor);
      const now = clock.now();
      await currentCalendar(db, tz, now);
      await refreshPatientClocks(db, now, tz);
      const result = await careGapWorklist(db, filter, { after, limit: page.limit }, now, tz);
      const shown = result.items.map((gap) => ({ id: gap.patientId, patientId: gap.patientId }));
      await access.record(
        listed('care_gap.list', 'patient', shown, { filters: Object.keys(filter).sort() }),
      );
      return {
        items: result.items,
        nextCursor: result.hasMore && result.last ? encodeGapCursor(result.last) : null,
      };
    },

    /**
     * One patient's clocks: the care gap (when in a course of treatment) and the verdict of every
     * request of the last year, computed live (cheap for one patient). Throws NOT_FOUND.
     */
    async patientClocks(
      patientId: string,
    ): Promise<{ careGap: CareGap | null; requests: RequestVerdict[] }> {
      const record = {
        action: 'patient.clocks',
        entity: 'patient',
        entityId: patientId,
        patientId,
      };
      await access.require('patients:read', record);
      const exists = await db
        .selectFrom('patient')
        .select('id')
        .where('id', '=', patientId)
        .executeTakeFirst();
      if (!exists) throw notFound('patient', patientId);
      const now = clock.now();
      await currentCalendar(db, tz, now);
      const gap = await listCareGaps(db, { patientId }, { after: null, limit: 1 }, now, tz);
      const requests = await requestVerdicts(
        db,
        { from: new Date(now.getTime() - 366 * 86_400_000), to: now, patientId },
        now,
        tz,
      );
      await access.record([record]);
      return { careGap: gap.items[0] ?? null, requests };
    },

    /**
     * Timely-access rates for requests made in [from, to), by standard and group, each with its
     * numerator, denominator and definition; excepted and pending requests counted apart.
     * Throws VALIDATION_FAILED for an empty or reversed period.
     */
    async rates(filter: RequestFilter, groupBy: Grouping): Promise<Rate[]> {
      await access.require('compliance:read', {
        action: 'timely_access.rates',
        entity: 'timely_access',
      });
      assertPeriod(filter);
      const now = clock.now();
      await currentCalendar(db, tz, now);
      await refreshPatientClocks(db, now, tz);
      return (await rates(db, filter, groupBy, now, tz)).map((row) => {
        const denominator = row.met + row.missed;
        const rate = denominator === 0 ? null : row.met / denominator;
        return {
          ...row,
          denominator,
          rate,
          belowThreshold: groupBy === 'network' && rate !== null && rate < complianceThreshold,
          definition: standardDefinitions[row.standard],
        };
      });
    },
  };
}
