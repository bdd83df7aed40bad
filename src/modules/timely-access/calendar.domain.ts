import Holidays from 'date-holidays';
import { localDateOf, zonedTimeToUtc } from '../../shared/clock.ts';

/**
 * The business-day calendar behind the timely-access clocks (DOMAIN.md: a business day is Monday
 * to Friday, excluding holidays, with California state holidays by default and the calendar
 * configurable). Everything here is pure: `date-holidays` is a table of rules, not I/O.
 */

/** A calendar date in the organization's time zone, 'YYYY-MM-DD'. */
export type LocalDate = string;

export const defaultTimeZone = 'America/Los_Angeles';

export interface BusinessCalendar {
  readonly timeZone: string;
  /** Days that are not business days although they fall Monday to Friday. */
  readonly holidays: ReadonlySet<LocalDate>;
  /** The years the holidays were computed for; a date outside them cannot be judged. */
  readonly fromYear: number;
  readonly toYear: number;
}

const localDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date: LocalDate): { year: number; month: number; day: number } {
  const match = localDatePattern.exec(date);
  const [year, month, day] = [Number(match?.[1]), Number(match?.[2]), Number(match?.[3])];
  // Reject what Date.UTC would quietly roll over, such as 2025-02-30.
  const check = new Date(Date.UTC(year, month - 1, day));
  if (!match || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  }
  return { year, month, day };
}

/** The date `days` calendar days after `date` (negative goes back). */
export function addCalendarDays(date: LocalDate, days: number): LocalDate {
  const { year, month, day } = parts(date);
  // Date.UTC normalises overflow (31 + 1 becomes the 1st of the next month).
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
function weekday(date: LocalDate): number {
  const { year, month, day } = parts(date);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** The instant local midnight starts `date` in `timeZone` (DST-safe). */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  const { year, month, day } = parts(date);
  return zonedTimeToUtc({ year, month, day, hour: 0, minute: 0, second: 0 }, timeZone);
}

/**
 * California state holidays for the years `fromYear`..`toYear`, as the state observes them
 * (Gov. Code §19853; CalHR's published lists):
 * - the `public` holidays `date-holidays` gives for `US`/`CA` (its `bank`, `optional` and
 *   `observance` entries such as Christmas Eve or Tax Day are not state holidays), except
 *   Juneteenth: it is a federal holiday but not on CalHR's list of state holidays (2024), so a
 *   plan that closes on it adds it as a closure;
 * - a holiday on a Sunday is observed the following Monday;
 * - a holiday on a Saturday is not moved (state employees get holiday credit instead), except
 *   Veterans Day, observed the preceding Friday. `date-holidays` moves every Saturday holiday to
 *   the Friday, as federal offices do, so its substitute days are ignored and these two rules
 *   applied instead.
 */
export function californiaStateHolidays(fromYear: number, toYear: number): LocalDate[] {
  // Every rates request, care-gap list and referral sent builds the calendar: the holiday rules
  // take tens of milliseconds for 29 years, so their answer is kept per year range.
  const key = `${fromYear}..${toYear}`;
  const known = holidaysByRange.get(key);
  if (known) return [...known];
  const computed = computeStateHolidays(fromYear, toYear);
  holidaysByRange.set(key, computed);
  return [...computed];
}

const holidaysByRange = new Map<string, readonly LocalDate[]>();

function computeStateHolidays(fromYear: number, toYear: number): LocalDate[] {
  const source = new Holidays('US', 'CA');
  const dates = new Set<LocalDate>();
  for (let year = fromYear; year <= toYear; year++) {
    for (const holiday of source.getHolidays(year, 'en')) {
      if (holiday.type !== 'public' || holiday.substitute === true) continue;
      if (holiday.rule.startsWith('06-19')) continue; // Juneteenth, see above
      const date = holiday.date.slice(0, 10);
      const day = weekday(date);
      if (day === 0) dates.add(addCalendarDays(date, 1));
      else if (day === 6) {
        if (date.endsWith('-11-11')) dates.add(addCalendarDays(date, -1));
      } else dates.add(date);
    }
  }
  return [...dates].sort();
}

export interface CalendarOptions {
  fromYear: number;
  toYear: number;
  timeZone?: string;
  /** Holidays and closures the operator adds ('YYYY-MM-DD'). */
  closures?: Iterable<LocalDate>;
  /** Start from no holidays instead of California's (an operator's own calendar). */
  withoutStateHolidays?: boolean;
}

export function businessCalendar(options: CalendarOptions): BusinessCalendar {
  const { fromYear, toYear } = options;
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear) {
    throw new RangeError(`bad year range ${fromYear}..${toYear}`);
  }
  const holidays = new Set(
    options.withoutStateHolidays === true ? [] : californiaStateHolidays(fromYear, toYear),
  );
  for (const date of options.closures ?? []) holidays.add(addCalendarDays(date, 0));
  return { timeZone: options.timeZone ?? defaultTimeZone, holidays, fromYear, toYear };
}

/** The same calendar with more closures (e.g. a clinic shut for a day). */
export function withClosures(
  calendar: BusinessCalendar,
  closures: Iterable<LocalDate>,
): BusinessCalendar {
  const holidays = new Set(calendar.holidays);
  for (const date of closures) holidays.add(addCalendarDays(date, 0));
  return { ...calendar, holidays };
}

/** Monday to Friday and not a holiday. Throws RangeError outside the calendar's years. */
export function isBusinessDay(calendar: BusinessCalendar, date: LocalDate): boolean {
  const { year } = parts(date);
  if (year < calendar.fromYear || year > calendar.toYear) {
    throw new RangeError(
      `${date} is outside the calendar (${calendar.fromYear}..${calendar.toYear})`,
    );
  }
  const day = weekday(date);
  return day !== 0 && day !== 6 && !calendar.holidays.has(date);
}

function toLocalDate(calendar: BusinessCalendar, at: Date | LocalDate): LocalDate {
  return typeof at === 'string' ? addCalendarDays(at, 0) : localDateOf(at, calendar.timeZone);
}

/**
 * The n-th business day after the local date of `from` (the day of `from` itself never counts,
 * whatever the hour: a request at 23:59 on a Friday starts counting on Monday). n = 0 gives the
 * date of `from`.
 */
export function nthBusinessDayAfter(
  calendar: BusinessCalendar,
  from: Date | LocalDate,
  n: number,
): LocalDate {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number ≥ 0: ${n}`);
  let date = toLocalDate(calendar, from);
  for (let counted = 0; counted < n;) {
    date = addCalendarDays(date, 1);
    if (isBusinessDay(calendar, date)) counted++;
  }
  return date;
}

/**
 * The deadline `n` business days after `from`: the first instant that is too late, which is local
 * midnight at the start of the day after the n-th business day. Anything strictly before it is
 * within n business days. Because it is a local midnight, a DST change in between moves its UTC
 * hour (07:00Z in summer, 08:00Z in winter for Los Angeles), never its local day.
 */
export function addBusinessDays(
  calendar: BusinessCalendar,
  from: Date | LocalDate,
  n: number,
): Date {
  const last = nthBusinessDayAfter(calendar, from, n);
  return startOfLocalDay(addCalendarDays(last, 1), calendar.timeZone);
}

/**
 * The number of business days d with date(from) < d ≤ date(to), in local dates; negative when
 * `to` is before `from`. So an instant `at` is before `addBusinessDays(c, from, n)` exactly when
 * its date is on or before the n-th business day; a weekend day right after the n-th business
 * day still counts n here but is already late.
 */
export function businessDaysBetween(
  calendar: BusinessCalendar,
  from: Date | LocalDate,
  to: Date | LocalDate,
): number {
  const start = toLocalDate(calendar, from);
  const end = toLocalDate(calendar, to);
  if (end < start) return -businessDaysBetween(calendar, end, start);
  let count = 0;
  for (let date = addCalendarDays(start, 1); date <= end; date = addCalendarDays(date, 1)) {
    if (isBusinessDay(calendar, date)) count++;
  }
  return count;
}

/**
 * `hours` of elapsed time after `instant`: the 48- and 96-hour urgent standards count real hours,
 * not wall-clock hours. Across the spring-forward change 48 hours end at a wall time one hour
 * later than the start's; across the fall-back change, one hour earlier.
 */
export function addClockHours(instant: Date, hours: number): Date {
  return new Date(instant.getTime() + hours * 3_600_000);
}

export interface BusinessDayRow {
  day: LocalDate;
  business: boolean;
  /** Business days from the calendar's first day up to and including `day`. */
  ordinal: number;
}

/**
 * The calendar as rows, one per day of its years, for deadlines in SQL: the n-th business day
 * after a date d is the business day whose ordinal is ordinal(d) + n (a non-business day carries
 * the ordinal of the business day before it), as `nthBusinessDayAfter` counts.
 */
export function businessDayRows(calendar: BusinessCalendar): BusinessDayRow[] {
  const rows: BusinessDayRow[] = [];
  let ordinal = 0;
  const last = `${calendar.toYear}-12-31`;
  for (let day = `${calendar.fromYear}-01-01`; day <= last; day = addCalendarDays(day, 1)) {
    const business = isBusinessDay(calendar, day);
    if (business) ordinal++;
    rows.push({ day, business, ordinal });
  }
  return rows;
}
