import type {
  AppointmentTarget,
  CandidateTargets,
  DisplacedPatient,
  GroupSeatTarget,
  OutsideProviderTarget,
  TimeSpan,
} from '../modules/matching/candidate-targets.domain.ts';

// Test data for re-matching: one perinatal patient at home in Woodland Hills and the targets
// around her. The defaults are the plain case (a perinatal need, perinatal targets with no
// accommodations); a test file that wants other defaults says so in a named variant.

export const now = new Date('2025-03-03T17:00:00.000Z'); // a Monday, 09:00 in Los Angeles
export const home = { lat: 34.168, lon: -118.605 }; // Woodland Hills

/** A point `km` north of home (0.1° of latitude is 11.12 km). */
export const north = (km: number) => ({ lat: home.lat + km / 111.195, lon: home.lon });

/** `minutes` from `startsAt` (an ISO instant). */
export const span = (startsAt: string, minutes: number): TimeSpan => ({
  startsAt: new Date(startsAt),
  endsAt: new Date(new Date(startsAt).getTime() + minutes * 60_000),
});

/** Wednesday 5 March, 10:00–11:30 in Los Angeles: when the default targets meet. */
export const wednesday = span('2025-03-05T18:00:00.000Z', 90);

/** A perinatal patient at home, of moderate risk, whose perinatal group was lost. */
export function buildDisplacedPatient(overrides: Partial<DisplacedPatient> = {}): DisplacedPatient {
  return {
    id: 'p-1',
    language: 'en',
    ...home,
    needs: [],
    conditions: ['perinatal_mood_anxiety'],
    risk: 'moderate',
    perinatal: true,
    dischargedAt: null,
    lostGroup: { id: 'g-lost', specialty: 'perinatal_mood_anxiety' },
    ownClinicianIds: ['c-striking'],
    ...overrides,
  };
}

/** An English perinatal group 5 km north with 3 open seats, meeting on Wednesday. */
export function buildGroupSeatTarget(overrides: Partial<GroupSeatTarget> = {}): GroupSeatTarget {
  return {
    id: 'g-1',
    specialty: 'perinatal_mood_anxiety',
    language: 'en',
    accommodations: [],
    modality: 'in_person',
    ...north(5),
    openSeats: 3,
    sessions: [wednesday],
    facilitatorIds: ['c-9'],
    ...overrides,
  };
}

/** An English perinatal provider 8 km north, accepting 2 a week, first seen on Thursday. */
export function buildOutsideProviderTarget(
  overrides: Partial<OutsideProviderTarget> = {},
): OutsideProviderTarget {
  return {
    id: 'op-1',
    specialties: ['perinatal_mood_anxiety'],
    certifications: [],
    languages: ['en'],
    modality: 'in_person',
    ...north(8),
    accommodations: [],
    weeklyCapacity: 2,
    accepting: true,
    firstAppointmentAt: new Date('2025-03-06T17:00:00.000Z'), // Thursday: 3 business days
    ...overrides,
  };
}

/** An English in-network perinatal clinician 3 km north, free on Wednesday. */
export function buildAppointmentTarget(
  overrides: Partial<AppointmentTarget> = {},
): AppointmentTarget {
  return {
    id: 'c-2',
    specialties: ['perinatal_mood_anxiety'],
    certifications: [],
    languages: ['en'],
    modality: 'in_person',
    ...north(3),
    accommodations: [],
    slots: [wednesday],
    ...overrides,
  };
}

/** The targets on offer: only the kinds given, none of the others. */
export function targets(partial: Partial<CandidateTargets>): CandidateTargets {
  return { groupSeats: [], outsideProviders: [], appointments: [], ...partial };
}
