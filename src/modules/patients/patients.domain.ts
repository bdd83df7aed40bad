import type { Need, Specialty } from '../vocabulary/vocabulary.domain.ts';

export const risks = ['low', 'moderate', 'high'] as const;
export type Risk = (typeof risks)[number];

export const contactChannels = ['phone', 'sms', 'email', 'letter', 'portal'] as const;
export type ContactChannel = (typeof contactChannels)[number];

/** How the patient wants to be reached: what outreach must respect. */
export interface ContactPreferences {
  channels?: ContactChannel[] | undefined;
  bestTime?: string | undefined;
  doNotLeaveMessage?: boolean | undefined;
}

/**
 * A patient in care. MRN, name and birth date identify a person: they go into no log line, no
 * error message and no URL (there is deliberately no filter on them).
 */
export interface Patient {
  id: string;
  /** Medical record number. */
  mrn: string;
  name: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  /** ISO 639 code of the language the patient is treated in. */
  language: string;
  serviceAreaId: string;
  lat: number;
  lon: number;
  needs: Need[];
  conditions: Specialty[];
  risk: Risk;
  /** The last discharge from psychiatric inpatient care, if any. */
  dischargedAt: Date | null;
  perinatal: boolean;
  contactPreferences: ContactPreferences;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type NewPatient = Pick<
  Patient,
  | 'mrn'
  | 'name'
  | 'birthDate'
  | 'language'
  | 'serviceAreaId'
  | 'lat'
  | 'lon'
  | 'needs'
  | 'conditions'
  | 'risk'
  | 'dischargedAt'
  | 'perinatal'
  | 'contactPreferences'
>;
export type PatientPatch = Partial<NewPatient>;

export interface PatientFilter {
  serviceAreaId?: string | undefined;
  risk?: Risk | undefined;
  perinatal?: boolean | undefined;
  language?: string | undefined;
  /** true: discharged within the recent-discharge window; false: not (or never discharged). */
  recentlyDischarged?: boolean | undefined;
}

/**
 * DOMAIN.md: anyone discharged in the last 30 days goes to the top of every re-match queue
 * (the HEDIS follow-up-after-hospitalization window).
 */
export const recentDischargeDays = 30;

/** The instants [from, to] within which a discharge counts as recent at `now`. */
export interface DischargeWindow {
  from: Date;
  to: Date;
}

export function recentDischargeWindow(now: Date): DischargeWindow {
  return { from: new Date(now.getTime() - recentDischargeDays * 86_400_000), to: now };
}

/**
 * Why a birth date cannot be right on `today` (the organization's calendar date), or undefined
 * when it can. The reason never repeats the date itself.
 */
export function birthDateProblem(birthDate: string, today: string): string | undefined {
  // Both are YYYY-MM-DD, so text order is date order.
  return birthDate > today ? 'must not be in the future' : undefined;
}
