/** The catalogue as the API answers it (src/modules/groups, clinicians, enrollments, workload). */

export interface Group {
  id: string;
  name: string;
  specialty: string;
  modality: string;
  language: string;
  accommodations: string[];
  locationId: string;
  capacity: number;
  minSize: number;
  kind: string;
  status: string;
  rrule: string;
  sessionMinutes: number;
  startsOn: string;
  endsOn: string | null;
  facilitators: { clinicianId: string; role: string }[];
  enrolled: number;
  openSeats: number;
}

export interface Clinician {
  id: string;
  npi: string;
  name: string;
  discipline: string;
  specialties: string[];
  languages: string[];
  certifications: string[];
  locationId: string;
  fte: number;
  status: string;
}

export interface Session {
  id: string;
  startsAt: string;
  endsAt: string;
  status: string;
  cancelReason: string | null;
  disruptionId: string | null;
  attendance: { present: number; absent: number; excused: number };
}

export interface Enrollment {
  id: string;
  patientId: string;
  groupId: string;
  status: string;
  startsOn: string;
  endsOn: string | null;
}

export interface Named {
  id: string;
  name: string;
}

export interface Location extends Named {
  serviceAreaId: string;
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

export interface Workload {
  week: string;
  monday: string;
  prepFactor: number;
  protectedTarget: number;
  clinicians: ClinicianWeek[];
}

/** The ISO week ('YYYY-Www') of a day in the browser's calendar. */
export function isoWeekOf(date: Date): string {
  const d = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()));
  const thursday = new Date(d.getTime() + (3 - ((d.getUTCDay() + 6) % 7)) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}
