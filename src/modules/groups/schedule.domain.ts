import rrulePackage from 'rrule';
import { wallTimeOf, zonedTimeToUtc, type WallTime } from '../../shared/clock.ts';

// rrule ships CommonJS only; its named exports are reachable through the default export.
const { RRule, Frequency } = rrulePackage;

/** When a group meets: an RFC 5545 RRULE read in the organization's wall-clock time. */
export interface GroupSchedule {
  rrule: string;
  /** First day the rule may produce a session (YYYY-MM-DD). */
  startsOn: string;
  /** Last day, inclusive; null for open-ended groups. */
  endsOn: string | null;
  sessionMinutes: number;
}

export interface SessionTime {
  startsAt: Date;
  endsAt: Date;
}

const allowedFrequencies = new Set([Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY]);
/** No expansion produces more than this, whatever the rule says. */
export const maxSessionsPerExpansion = 2000;

/**
 * Checks a group's RRULE: it must parse, recur daily, weekly or monthly, and fix one start time
 * with BYHOUR and BYMINUTE. DTSTART is not allowed: the group's `startsOn` is the start.
 * Returns the problem in words, or null when the rule is acceptable.
 */
export function rruleProblem(rrule: string): string | null {
  if (/DTSTART|TZID/i.test(rrule))
    return 'DTSTART and TZID are not allowed; use startsOn and the organization time zone';
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(rrule.replace(/^RRULE:/i, ''));
  } catch {
    return 'is not an RFC 5545 RRULE';
  }
  if (options.freq === undefined || !allowedFrequencies.has(options.freq))
    return 'FREQ must be DAILY, WEEKLY or MONTHLY';
  const hours = [options.byhour ?? []].flat();
  const minutes = [options.byminute ?? []].flat();
  if (hours.length !== 1 || minutes.length !== 1)
    return 'must set exactly one BYHOUR and one BYMINUTE';
  if (options.interval !== undefined && (options.interval < 1 || options.interval > 12))
    return 'INTERVAL must be 1 to 12';
  return null;
}

function floating(wall: WallTime): Date {
  return new Date(
    Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second),
  );
}

function wallOfFloating(date: Date): WallTime {
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: 0,
  };
}

/**
 * The sessions a schedule produces that start in [from, to), as UTC instants. The rule is read
 * in `timeZone`'s wall-clock time, so a 6 pm group stays at 6 pm across daylight-saving changes.
 */
export function sessionTimes(
  schedule: GroupSchedule,
  from: Date,
  to: Date,
  timeZone: string,
): SessionTime[] {
  const problem = rruleProblem(schedule.rrule);
  if (problem) throw new Error(`Invalid RRULE: ${problem}`);
  const options = RRule.parseString(schedule.rrule.replace(/^RRULE:/i, ''));
  const rule = new RRule({ ...options, dtstart: new Date(`${schedule.startsOn}T00:00:00Z`) });
  const lastFloating = schedule.endsOn ? new Date(`${schedule.endsOn}T23:59:59Z`) : undefined;
  const windowStart = floating(wallTimeOf(from, timeZone));
  // One day of slack on each side: the wall-clock window and the UTC window differ by the offset.
  const occurrences = rule.between(
    new Date(windowStart.getTime() - 86_400_000),
    new Date(floating(wallTimeOf(to, timeZone)).getTime() + 86_400_000),
    true,
    (_date, index) => index < maxSessionsPerExpansion,
  );
  const minutes = schedule.sessionMinutes * 60_000;
  return occurrences
    .filter((occurrence) => !lastFloating || occurrence <= lastFloating)
    .map((occurrence) => zonedTimeToUtc(wallOfFloating(occurrence), timeZone))
    .filter((startsAt) => startsAt >= from && startsAt < to)
    .map((startsAt) => ({ startsAt, endsAt: new Date(startsAt.getTime() + minutes) }));
}
