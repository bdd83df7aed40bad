import { AppError } from '../../shared/errors.ts';
import { addCalendarDays, startOfLocalDay } from '../timely-access/calendar.domain.ts';

/**
 * Clinician workload (DOMAIN.md): per clinician and week, direct-care hours, patients seen per day
 * (days above 10 flagged), group hours with their preparation and documentation, and the
 * protected time left outside appointments against a target (7 hours a week by default; 5 is the
 * other figure DOMAIN.md gives).
 */

export const hoursPerFte = 40;
export const defaultPrepFactor = 0.5;
export const defaultProtectedTarget = 7;
export const busyDayPatients = 10;
/** An individual appointment's length: the table keeps no end time. */
export const appointmentHours = 1;

export interface WeekBounds {
  week: string;
  /** Monday, local date. */
  monday: string;
  from: Date;
  to: Date;
}

/** An ISO week, 'YYYY-Www', as local instants from Monday 00:00 to the next Monday 00:00. */
export function weekBounds(week: string, timeZone: string): WeekBounds {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  const year = Number(match?.[1]);
  const n = Number(match?.[2]);
  // ISO week 1 holds 4 January; its Monday is found from that day's weekday.
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday1 = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000);
  const monday = new Date(monday1.getTime() + (n - 1) * 7 * 86_400_000);
  const weeksInYear =
    new Date(Date.UTC(year, 11, 28)).getUTCDay() === 4 ||
    new Date(Date.UTC(year, 0, 1)).getUTCDay() === 4
      ? 53
      : 52;
  if (!match || n < 1 || n > weeksInYear)
    throw new AppError('VALIDATION_FAILED', 'Invalid week: give an ISO week such as 2025-W10.', {
      issues: [{ field: 'week', problem: 'not an ISO week of that year' }],
    });
  const mondayDate = monday.toISOString().slice(0, 10);
  return {
    week,
    monday: mondayDate,
    from: startOfLocalDay(mondayDate, timeZone),
    to: startOfLocalDay(addCalendarDays(mondayDate, 7), timeZone),
  };
}

/** The ISO week, 'YYYY-Www', of a calendar date 'YYYY-MM-DD'. */
export function isoWeekOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  // The Thursday of the date's week decides its ISO year.
  const thursday = new Date(d.getTime() + (3 - ((d.getUTCDay() + 6) % 7)) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export interface ClinicianWeekInput {
  clinicianId: string;
  name: string;
  serviceAreaId: string;
  fte: number;
  appointments: number;
  groupHours: number;
  /** Distinct patients seen, per local date with any. */
  patientsByDay: Record<string, number>;
}

export interface ClinicianWeek {
  clinicianId: string;
  name: string;
  serviceAreaId: string;
  contractedHours: number;
  directCareHours: number;
  groupHours: number;
  groupHoursWithPrep: number;
  protectedHours: number;
  protectedTarget: number;
  belowProtectedTarget: boolean;
  patientsByDay: Record<string, number>;
  busyDays: string[];
}

/** One clinician's week from its counts. */
export function clinicianWeek(
  input: ClinicianWeekInput,
  options: { prepFactor: number; protectedTarget: number },
): ClinicianWeek {
  const contractedHours = input.fte * hoursPerFte;
  const individual = input.appointments * appointmentHours;
  const groupHoursWithPrep = input.groupHours * (1 + options.prepFactor);
  const protectedHours = Math.max(0, contractedHours - individual - groupHoursWithPrep);
  return {
    clinicianId: input.clinicianId,
    name: input.name,
    serviceAreaId: input.serviceAreaId,
    contractedHours,
    directCareHours: individual + input.groupHours,
    groupHours: input.groupHours,
    groupHoursWithPrep,
    protectedHours,
    protectedTarget: options.protectedTarget,
    belowProtectedTarget: protectedHours < options.protectedTarget,
    patientsByDay: input.patientsByDay,
    busyDays: Object.entries(input.patientsByDay)
      .filter(([, n]) => n > busyDayPatients)
      .map(([day]) => day)
      .sort(),
  };
}

export interface AreaWeek {
  serviceAreaId: string;
  clinicians: number;
  directCareHours: number;
  protectedHours: number;
  belowProtectedTarget: number;
  busyDays: number;
}

/** Service-area totals: the team view. */
export function areaSummaries(weeks: readonly ClinicianWeek[]): AreaWeek[] {
  const areas = new Map<string, AreaWeek>();
  for (const w of weeks) {
    const a = areas.get(w.serviceAreaId) ?? {
      serviceAreaId: w.serviceAreaId,
      clinicians: 0,
      directCareHours: 0,
      protectedHours: 0,
      belowProtectedTarget: 0,
      busyDays: 0,
    };
    a.clinicians += 1;
    a.directCareHours += w.directCareHours;
    a.protectedHours += w.protectedHours;
    a.belowProtectedTarget += w.belowProtectedTarget ? 1 : 0;
    a.busyDays += w.busyDays.length;
    areas.set(w.serviceAreaId, a);
  }
  return [...areas.values()].sort((a, b) => (a.serviceAreaId < b.serviceAreaId ? -1 : 1));
}
