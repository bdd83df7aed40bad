import type { Need, Specialty } from '../vocabulary/vocabulary.domain.ts';
import type { LocalCalendar } from './calendar.domain.ts';
import type { AreaPlan } from './catalogue.domain.ts';
import type { GroupPlan, SlotPlan } from './groups.domain.ts';
import { personName } from './names.domain.ts';
import { pointNear } from './places.domain.ts';
import type { Rng, Weighted } from './prng.domain.ts';
import { streamOf } from './prng.domain.ts';
import type { AttendanceRow, EnrollmentRow, PatientRow } from './rows.domain.ts';
import {
  conditionShares,
  otherLanguageShares,
  patientLanguageShares,
  perinatalConditionShares,
  perinatalSpecialties,
  sortedNeeds,
} from './shares.domain.ts';

/** The enrollment a patient is generated for, when they are in a group. */
export interface Seat {
  group: GroupPlan;
  slot: SlotPlan;
}

/** Homes are within this distance of the service area's centre. */
export const homeRadiusKm = 15;

const birthYearShares: Weighted<readonly [number, number]> = [
  [[1945, 1959], 10],
  [[1960, 1974], 20],
  [[1975, 1989], 30],
  [[1990, 2002], 32],
  [[2003, 2007], 8],
];

const dischargedRiskShares = [
  ['high', 70],
  ['moderate', 30],
] as const;

const psychosisRiskShares = [
  ['high', 35],
  ['moderate', 40],
  ['low', 25],
] as const;

const riskShares = [
  ['low', 72],
  ['moderate', 21.5],
  ['high', 6.5],
] as const;

// Channels as the patients module names them (ContactPreferences): in order of preference.
const contactShares = [
  ['sms', 40],
  ['phone', 35],
  ['email', 12],
  ['portal', 10],
  ['letter', 3],
] as const;

const adultConditionShares = conditionShares.filter(
  ([specialty]) => specialty !== 'adolescent_mood',
);

function birthDate(rng: Rng, fromYear: number, toYear: number): string {
  const year = rng.int(fromYear, toYear);
  const month = rng.int(1, 12);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(rng.int(1, days)).padStart(2, '0')}`;
}

function birthYears(rng: Rng): readonly [number, number] {
  return rng.weighted(birthYearShares);
}

function languageFor(rng: Rng, seat: Seat | undefined): string {
  if (!seat) return rng.weighted(patientLanguageShares);
  const group = seat.group.row;
  if (group.language !== 'en') return group.language;
  // An interpreter lets a group take members who speak other languages.
  if (group.accommodations.includes('interpreter') && rng.chance(0.4))
    return rng.weighted(otherLanguageShares);
  return 'en';
}

function conditionsFor(
  rng: Rng,
  options: { perinatal: boolean; teen: boolean; groupSpecialty: Specialty | undefined },
): Specialty[] {
  const pool = options.teen ? conditionShares : adultConditionShares;
  const first: Specialty =
    options.groupSpecialty ??
    (options.perinatal ? rng.weighted(perinatalConditionShares) : rng.weighted(pool));
  const conditions = [first];
  if (rng.chance(options.perinatal ? 0.3 : 0.35)) {
    const second = rng.weighted(pool);
    if (second !== first) conditions.push(second);
  }
  return conditions;
}

/**
 * What the patient needs. For a group member every need is one the group meets: baby-friendly
 * only in a baby-friendly group, telehealth-only only in a virtual one, an interpreter only where
 * the group offers one (a member who shares the group's language needs none).
 */
function needsFor(
  rng: Rng,
  options: { perinatal: boolean; language: string; seat: Seat | undefined },
): Need[] {
  const needs = new Set<Need>();
  const group = options.seat?.group.row;
  if (group) {
    const offers = (a: string) => group.accommodations.includes(a);
    if (offers('baby_friendly') && options.perinatal && rng.chance(0.85))
      needs.add('baby_friendly');
    if (group.modality === 'virtual' && rng.chance(0.2)) needs.add('telehealth_only');
    if (group.modality === 'in_person' && rng.chance(0.05)) needs.add('in_person_only');
    if (options.language !== group.language) needs.add('interpreter');
    if (offers('evening') && rng.chance(0.3)) needs.add('evening');
    if (offers('wheelchair') && rng.chance(0.03)) needs.add('wheelchair');
  } else {
    if (options.perinatal && rng.chance(0.55)) needs.add('baby_friendly');
    if (rng.chance(0.06)) needs.add('telehealth_only');
    else if (rng.chance(0.03)) needs.add('in_person_only');
    if (options.language !== 'en' && rng.chance(0.45)) needs.add('interpreter');
    if (rng.chance(0.08)) needs.add('evening');
    if (rng.chance(0.02)) needs.add('wheelchair');
  }
  return sortedNeeds(needs);
}

function riskFor(rng: Rng, conditions: readonly Specialty[], discharged: boolean): string {
  if (discharged) return rng.weighted(dischargedRiskShares);
  if (conditions.includes('perinatal_psychosis_risk') || conditions.includes('psychosis'))
    return rng.weighted(psychosisRiskShares);
  return rng.weighted(riskShares);
}

/**
 * One patient, generated for a seat in a group or free-standing. Everything is drawn from the
 * patient's own stream, so the same seed and index always give the same patient.
 */
export function buildPatient(
  seed: number,
  index: number,
  id: string,
  area: AreaPlan,
  seat: Seat | undefined,
  dischargedAt: Date | null,
): PatientRow {
  const rng = streamOf(seed, 'patient', index);
  const group = seat?.group.row;
  const perinatalGroup = group !== undefined && perinatalSpecialties.has(group.specialty);
  const teenGroup = group?.specialty === 'adolescent_mood';
  const female = perinatalGroup || rng.chance(0.62);
  const perinatal = perinatalGroup || (female && rng.chance(group ? 0.03 : 0.08));
  const [fromYear, toYear] = perinatal ? [1984, 2004] : teenGroup ? [2005, 2007] : birthYears(rng);
  const birth = birthDate(rng, fromYear, toYear);
  const language = languageFor(rng, seat);
  const conditions = conditionsFor(rng, {
    perinatal,
    teen: Number(birth.slice(0, 4)) >= 2005,
    groupSpecialty: group?.specialty as Specialty | undefined,
  });
  const home = pointNear(rng, area.place, homeRadiusKm);
  return {
    id,
    // Unique by construction: each index owns a block of 37 numbers.
    mrn: `MRN-${10_000_000 + index * 37 + rng.int(0, 36)}`,
    name: personName(rng, { female, language }),
    birth_date: birth,
    language,
    service_area_id: area.row.id,
    lat: home.lat,
    lon: home.lon,
    needs: needsFor(rng, { perinatal, language, seat }),
    conditions,
    risk: riskFor(rng, conditions, dischargedAt !== null),
    discharged_at: dischargedAt,
    perinatal,
    contact_preferences: {
      channels: rng.distinct(contactShares, rng.chance(0.5) ? 2 : 1),
      bestTime: rng.pick(['morning', 'afternoon', 'evening']),
      doNotLeaveMessage: rng.chance(0.2),
    },
  };
}

export function buildEnrollment(
  id: string,
  patientId: string,
  seat: Seat,
  calendar: LocalCalendar,
): EnrollmentRow {
  const { slot } = seat;
  return {
    id,
    patient_id: patientId,
    group_id: seat.group.row.id,
    status: slot.status,
    starts_on: calendar.date(slot.startsDay),
    ends_on: slot.endsDay === null ? null : calendar.date(slot.endsDay),
    end_reason: slot.endReason,
  };
}

/**
 * The register of every held session since an active member joined: mostly present (~75%), the
 * rest absent or excused, each member with a steadiness of their own.
 */
export function buildAttendance(
  seed: number,
  index: number,
  patientId: string,
  seat: Seat,
  calendar: LocalCalendar,
): AttendanceRow[] {
  if (seat.slot.status !== 'active') return [];
  const rng = streamOf(seed, 'attendance', index);
  const steadiness = rng.real(0.55, 0.95);
  const from = calendar.startOf(seat.slot.startsDay).getTime();
  const { sessions } = seat.group;
  const rows: AttendanceRow[] = [];
  for (let i = 0; i < sessions.ids.length; i++) {
    if (sessions.status[i] !== 'held' || (sessions.starts[i] ?? 0) < from) continue;
    const status = rng.chance(steadiness) ? 'present' : rng.chance(0.6) ? 'absent' : 'excused';
    rows.push({ session_id: sessions.ids[i] ?? '', patient_id: patientId, status });
  }
  return rows;
}
