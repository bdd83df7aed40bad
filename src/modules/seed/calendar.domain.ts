import { wallTimeOf, zonedTimeToUtc } from '../../shared/clock.ts';

const dayMs = 86_400_000;

/**
 * Local calendar days counted from today (day 0 = the organization's date at `now`), with their
 * dates and the instants of wall-clock times on them. The generator places hundreds of thousands
 * of visits at office hours; converting each through Intl would dominate its run time, so each
 * day's UTC offset is computed once and cached.
 */
export class LocalCalendar {
  private readonly today: { year: number; month: number; day: number };
  private readonly days = new Map<
    number,
    { date: string; civil: number; weekday: number; midnight: number; noonOffset: number }
  >();

  constructor(
    now: Date,
    readonly timeZone: string,
  ) {
    const wall = wallTimeOf(now, timeZone);
    this.today = { year: wall.year, month: wall.month, day: wall.day };
  }

  private info(day: number) {
    let info = this.days.get(day);
    if (!info) {
      const civil = new Date(Date.UTC(this.today.year, this.today.month - 1, this.today.day + day));
      const wall = {
        year: civil.getUTCFullYear(),
        month: civil.getUTCMonth() + 1,
        day: civil.getUTCDate(),
        hour: 0,
        minute: 0,
        second: 0,
      };
      const noon = zonedTimeToUtc({ ...wall, hour: 12 }, this.timeZone).getTime();
      info = {
        date: civil.toISOString().slice(0, 10),
        civil: civil.getTime(),
        weekday: civil.getUTCDay(),
        midnight: zonedTimeToUtc(wall, this.timeZone).getTime(),
        noonOffset: civil.getTime() + 12 * 3_600_000 - noon,
      };
      this.days.set(day, info);
    }
    return info;
  }

  /** 'YYYY-MM-DD' of a day. */
  date(day: number): string {
    return this.info(day).date;
  }

  /** 0 = Sunday … 6 = Saturday. */
  weekday(day: number): number {
    return this.info(day).weekday;
  }

  isWeekend(day: number): boolean {
    const weekday = this.weekday(day);
    return weekday === 0 || weekday === 6;
  }

  /** The first Monday-to-Friday day on or after `day`. */
  nextWeekday(day: number): number {
    let candidate = day;
    while (this.isWeekend(candidate)) candidate += 1;
    return candidate;
  }

  /** The instant the day begins. */
  startOf(day: number): Date {
    return new Date(this.info(day).midnight);
  }

  /**
   * The instant the clocks show hour:minute on `day`. Daylight-saving changes happen in the
   * small hours, so from 4 am on the day's noon offset holds; earlier hours take the exact path.
   */
  at(day: number, hour: number, minute: number): Date {
    const info = this.info(day);
    if (hour < 4) {
      const [year, month, dayOfMonth] = info.date.split('-').map(Number);
      return zonedTimeToUtc(
        { year: year ?? 0, month: month ?? 0, day: dayOfMonth ?? 0, hour, minute, second: 0 },
        this.timeZone,
      );
    }
    return new Date(info.civil + (hour * 60 + minute) * 60_000 - info.noonOffset);
  }

  /** The day an instant falls on. */
  dayOf(instant: Date): number {
    const t = instant.getTime();
    let day = Math.floor((t - this.info(0).midnight) / dayMs);
    while (this.info(day + 1).midnight <= t) day += 1;
    while (this.info(day).midnight > t) day -= 1;
    return day;
  }

  /** The day of a 'YYYY-MM-DD' date. */
  dayOfDate(date: string): number {
    const todayCivil = Date.UTC(this.today.year, this.today.month - 1, this.today.day);
    return Math.round((Date.parse(`${date}T00:00:00Z`) - todayCivil) / dayMs);
  }
}
