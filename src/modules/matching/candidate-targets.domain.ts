import type { SessionTime } from '../groups/schedule.domain.ts';
import type { Risk } from '../patients/patients.domain.ts';
import type {
  Accommodation,
  Certification,
  GroupModality,
  Need,
  ProviderModality,
  Specialty,
} from '../vocabulary/vocabulary.domain.ts';
import type { CandidateParams } from './candidate-params.domain.ts';
import { equivalence, type Equivalence } from './equivalence.domain.ts';

/**
 * Candidate options for a displaced patient (DESIGN.md, "Re-matching: the model"): every target
 * that passes every hard constraint, priced with integer cost terms for the solver, each with its
 * explanation. Targets that fail are kept as rejections, and a patient left with no candidate gets
 * a reason in words.
 */

export type TimeSpan = SessionTime;

export interface DisplacedPatient {
  id: string;
  /** ISO 639 code of the language the patient is treated in. */
  language: string;
  lat: number;
  lon: number;
  needs: readonly Need[];
  conditions: readonly Specialty[];
  risk: Risk;
  perinatal: boolean;
  dischargedAt: Date | null;
  /**
   * The group whose sessions were cancelled. Its specialty is the need to match (not every
   * condition on file: a postpartum mother who also has anxiety lost a postpartum group). With
   * no lost group, the first listed condition is the need.
   */
  lostGroup: { id: string; specialty: Specialty } | null;
  /** The patient's own clinicians; care that keeps one of them avoids the loss term. */
  ownClinicianIds: readonly string[];
  /** Known commitments new care must not clash with. */
  busy?: readonly TimeSpan[] | undefined;
  /** The last attended session or visit, for the queue order; null or absent: never seen. */
  lastCareAt?: Date | null | undefined;
}

/** Open seats in another therapy group. */
export interface GroupSeatTarget {
  id: string;
  specialty: Specialty;
  language: string;
  accommodations: readonly Accommodation[];
  modality: GroupModality;
  lat: number;
  lon: number;
  openSeats: number;
  /** Upcoming sessions; the earliest is the first session, and none may clash. */
  sessions: readonly TimeSpan[];
  facilitatorIds: readonly string[];
}

/** A provider outside the network (an `OutsideProvider` fits). */
export interface OutsideProviderTarget {
  id: string;
  specialties: readonly Specialty[];
  certifications: readonly Certification[];
  languages: readonly string[];
  modality: ProviderModality;
  lat: number;
  lon: number;
  accommodations: readonly Accommodation[];
  weeklyCapacity: number;
  accepting: boolean;
  /** The first visit the provider offers, when known. */
  firstAppointmentAt?: Date | null | undefined;
}

/** Individual appointments with an in-network clinician who has time; `id` is the clinician's. */
export interface AppointmentTarget {
  id: string;
  specialties: readonly Specialty[];
  certifications: readonly Certification[];
  languages: readonly string[];
  modality: ProviderModality;
  lat: number;
  lon: number;
  /** What the clinician's location and practice offer (e.g. interpreter, wheelchair). */
  accommodations: readonly Accommodation[];
  /** Free slots; capacity is the number that do not clash with the patient's commitments. */
  slots: readonly TimeSpan[];
}

export interface CandidateTargets {
  groupSeats: readonly GroupSeatTarget[];
  outsideProviders: readonly OutsideProviderTarget[];
  appointments: readonly AppointmentTarget[];
}

export const optionKinds = ['group_seat', 'outside_provider', 'individual_appointment'] as const;
export type OptionKind = (typeof optionKinds)[number];

export type CareMode = 'in_person' | 'virtual';

/** The care a patient needs matched: the lost group's specialty, else the first condition. */
export function needOf(patient: DisplacedPatient): Specialty | null {
  return patient.lostGroup?.specialty ?? patient.conditions[0] ?? null;
}

/** A target seen the same way whatever its kind: what constraints and costs look at. */
export interface Offer {
  kind: OptionKind;
  id: string;
  equivalence: Equivalence;
  languages: readonly string[];
  /** Preferred first: virtual care travels nothing. */
  modes: readonly CareMode[];
  lat: number;
  lon: number;
  accommodations: readonly Accommodation[];
  capacity: number;
  /** In words; written only when asked (most offers are judged and dropped). */
  capacityText: () => string;
  firstSessionAt: Date | null;
  scheduleProblem: string | null;
  scheduleText: () => string;
  keepsOwnClinician: boolean;
  outside: boolean;
}

const providerModes = {
  in_person: ['in_person'],
  virtual: ['virtual'],
  both: ['virtual', 'in_person'],
} as const satisfies Record<ProviderModality, readonly CareMode[]>;

function overlaps(a: TimeSpan, b: TimeSpan): boolean {
  return a.startsAt < b.endsAt && b.startsAt < a.endsAt;
}

function clashes(span: TimeSpan, busy: readonly TimeSpan[]): boolean {
  return busy.some((commitment) => overlaps(span, commitment));
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function byStart(spans: readonly TimeSpan[]): TimeSpan[] {
  return [...spans].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}

export function groupOffer(
  group: GroupSeatTarget,
  patient: DisplacedPatient,
  need: Specialty,
  params: CandidateParams,
): Offer {
  const busy = patient.busy ?? [];
  const sessions = byStart(group.sessions);
  const clash = sessions.find((session) => clashes(session, busy));
  return {
    kind: 'group_seat',
    id: group.id,
    // A group is judged by what it treats: a facilitator's PMH-C does not make an anxiety group
    // a postpartum one.
    equivalence: equivalence(need, group.specialty, { matrix: params.matrix }),
    languages: [group.language],
    modes: [group.modality],
    lat: group.lat,
    lon: group.lon,
    accommodations: group.accommodations,
    capacity: group.openSeats,
    capacityText: () => plural(group.openSeats, 'open seat', 'open seats'),
    firstSessionAt: sessions[0]?.startsAt ?? null,
    scheduleProblem:
      sessions.length === 0
        ? 'no upcoming session'
        : clash
          ? `the session at ${clash.startsAt.toISOString()} clashes with a known commitment`
          : null,
    scheduleText: () =>
      busy.length === 0
        ? 'no known commitments to clash with'
        : `none of ${plural(sessions.length, 'upcoming session', 'upcoming sessions')} clashes with a known commitment`,
    keepsOwnClinician: group.facilitatorIds.some((id) => patient.ownClinicianIds.includes(id)),
    outside: false,
  };
}

export function providerOffer(
  provider: OutsideProviderTarget,
  need: Specialty,
  params: CandidateParams,
): Offer {
  const capacity = provider.accepting ? Math.max(0, provider.weeklyCapacity) : 0;
  return {
    kind: 'outside_provider',
    id: provider.id,
    equivalence: equivalence(need, provider.specialties, {
      certifications: provider.certifications,
      matrix: params.matrix,
    }),
    languages: provider.languages,
    modes: providerModes[provider.modality],
    lat: provider.lat,
    lon: provider.lon,
    accommodations: provider.accommodations,
    capacity,
    capacityText: () =>
      provider.accepting
        ? `accepting, ${plural(capacity, 'new patient', 'new patients')} a week`
        : 'not accepting new patients',
    firstSessionAt: provider.firstAppointmentAt ?? null,
    scheduleProblem: null,
    scheduleText: () => 'the provider books the first visit around the patient',
    keepsOwnClinician: false,
    outside: true,
  };
}

export function appointmentOffer(
  clinician: AppointmentTarget,
  patient: DisplacedPatient,
  need: Specialty,
  params: CandidateParams,
): Offer {
  const busy = patient.busy ?? [];
  const free = byStart(clinician.slots).filter((slot) => !clashes(slot, busy));
  const allClash = clinician.slots.length > 0 && free.length === 0;
  return {
    kind: 'individual_appointment',
    id: clinician.id,
    equivalence: equivalence(need, clinician.specialties, {
      certifications: clinician.certifications,
      matrix: params.matrix,
    }),
    languages: clinician.languages,
    modes: providerModes[clinician.modality],
    lat: clinician.lat,
    lon: clinician.lon,
    accommodations: clinician.accommodations,
    // Slots that clash are a schedule problem, not a capacity one.
    capacity: allClash ? clinician.slots.length : free.length,
    capacityText: () => plural(free.length, 'free slot', 'free slots'),
    firstSessionAt: free[0]?.startsAt ?? null,
    scheduleProblem: allClash ? 'every free slot clashes with a known commitment' : null,
    scheduleText: () =>
      busy.length === 0
        ? 'no known commitments to clash with'
        : `${plural(free.length, 'free slot fits', 'free slots fit')} around known commitments`,
    keepsOwnClinician: patient.ownClinicianIds.includes(clinician.id),
    outside: false,
  };
}
