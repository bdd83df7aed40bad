import type { LocalCalendar } from './calendar.domain.ts';
import type { Rng } from './prng.domain.ts';
import { streamOf } from './prng.domain.ts';
import type { AppointmentRow } from './rows.domain.ts';

const dayMs = 86_400_000;
const hourMs = 3_600_000;

/**
 * How many individual visits a patient has over the past year, and whether they were recently
 * discharged from a psychiatric stay. Drawn first from the patient's own visit stream, so the
 * generator can count every table before it produces a row, then go on drawing the details.
 */
export interface VisitPlan {
  rng: Rng;
  dischargedAt: Date | null;
  /** Initial visit plus follow-ups. */
  chain: number;
  /** Rows this patient contributes to `appointment`. */
  count: number;
}

const chainShares = [
  [0, 20],
  [1, 30],
  [2, 25],
  [3, 15],
  [4, 10],
] as const;

const pastStatusShares = [
  ['attended', 80],
  ['no_show', 9],
  ['cancelled', 11],
] as const;

export function visitPlanOf(seed: number, index: number, now: Date): VisitPlan {
  const rng = streamOf(seed, 'visits', index);
  // About 2% were discharged from a psychiatric stay in the last 30 days (HEDIS FUH window).
  const discharged = rng.chance(0.02);
  const dischargedAt = discharged
    ? new Date(Math.floor((now.getTime() - rng.int(6 * hourMs, 30 * dayMs)) / 60_000) * 60_000)
    : null;
  const chain = rng.weighted(chainShares);
  return { rng, dischargedAt, chain, count: chain + (discharged ? 1 : 0) };
}

/** Who a patient of an area can see. */
export interface AreaCare {
  clinicians: readonly string[];
  /** Psychiatrists and psychiatric nurse practitioners. */
  prescribers: readonly string[];
  providers: readonly string[];
}

export interface AppointmentInput {
  now: Date;
  calendar: LocalCalendar;
  ids: { next(): string };
  patientId: string;
  conditions: readonly string[];
  care: AreaCare;
  visits: VisitPlan;
}

/** A longer step between visits than this is only plausible with the days this long. */
const maxDaysPerStep = 45;
const overrideNote =
  'Treating clinician documented that a longer interval will not harm the patient.';

function pastStatus(rng: Rng): Pick<AppointmentRow, 'status' | 'cancelled_by'> {
  const status = rng.weighted(pastStatusShares);
  return {
    status,
    cancelled_by: status === 'cancelled' ? (rng.chance(0.6) ? 'patient' : 'provider') : null,
  };
}

function futureStatus(rng: Rng): Pick<AppointmentRow, 'status' | 'cancelled_by'> {
  return rng.chance(0.05)
    ? { status: 'cancelled', cancelled_by: 'patient' }
    : { status: 'booked', cancelled_by: null };
}

function statusAt(rng: Rng, startsAt: Date, now: Date) {
  return startsAt.getTime() < now.getTime() ? pastStatus(rng) : futureStatus(rng);
}

/** A slot at office hours on a weekday `wait` days after `day`. */
function officeSlot(calendar: LocalCalendar, rng: Rng, day: number, wait: number) {
  const slotDay = calendar.nextWeekday(day + wait);
  return { day: slotDay, at: calendar.at(slotDay, rng.int(8, 17), rng.pick([0, 30])) };
}

/**
 * A patient's individual visits over the past year: an initial visit and follow-ups, each
 * requested (by the patient, or by the clinician at the previous visit), offered, and attended,
 * missed or cancelled; plus a follow-up after a recent psychiatric discharge. Offers are never
 * before requests; most non-urgent offers fall within ten days, some later.
 */
export function buildAppointments(input: AppointmentInput): AppointmentRow[] {
  const { calendar, now, visits } = input;
  const rng = visits.rng;
  const rows: AppointmentRow[] = [];
  const psychiatric = input.conditions.some((c) => c === 'psychosis' || c === 'bipolar');
  const clinicians =
    psychiatric && input.care.prescribers.length > 0 && rng.chance(0.6)
      ? input.care.prescribers
      : input.care.clinicians;
  const outside = input.care.providers.length > 0 && rng.chance(0.04);
  const provider = outside ? rng.pick(input.care.providers) : null;
  let clinician = outside || clinicians.length === 0 ? null : rng.pick(clinicians);

  // Start early enough that every request of the chain lies in the past.
  const firstDay = -rng.int((visits.chain - 1) * maxDaysPerStep + 2, 365);
  let requestedAt = calendar.at(firstDay, rng.int(8, 17), rng.pick([0, 15, 30, 45]));
  for (let k = 0; k < visits.chain; k++) {
    const urgent = k === 0 && rng.chance(0.06);
    const priorAuthorization = urgent && rng.chance(0.3);
    let firstOffered: Date;
    let startsAt: Date;
    let waitDays = 0;
    if (urgent) {
      const hours = rng.int(2, priorAuthorization ? 120 : 60);
      firstOffered = new Date(
        Math.ceil((requestedAt.getTime() + hours * hourMs) / 900_000) * 900_000,
      );
      startsAt = firstOffered;
    } else {
      waitDays = rng.chance(0.78) ? rng.int(1, 13) : rng.int(14, 30);
      const offer = officeSlot(calendar, rng, calendar.dayOf(requestedAt), waitDays);
      firstOffered = offer.at;
      // Most take the first offer; some choose a later slot.
      startsAt = rng.chance(0.75)
        ? offer.at
        : officeSlot(calendar, rng, offer.day, rng.int(1, 10)).at;
    }
    if (k > 0 && clinician !== null && clinicians.length > 1 && rng.chance(0.15))
      clinician = rng.pick(clinicians);
    rows.push({
      id: input.ids.next(),
      patient_id: input.patientId,
      clinician_id: clinician,
      provider_id: provider,
      session_id: null,
      kind: k === 0 ? 'initial' : 'follow_up',
      urgency: urgent ? 'urgent' : 'non_urgent',
      prior_authorization: priorAuthorization,
      requested_at: requestedAt,
      first_offered_at: firstOffered,
      starts_at: startsAt,
      ...statusAt(rng, startsAt, now),
      interval_override_note: k > 0 && waitDays > 14 && rng.chance(0.35) ? overrideNote : null,
    });
    // The clinician asks for the next visit at the end of this one.
    requestedAt = new Date(startsAt.getTime() + 50 * 60_000);
  }

  if (visits.dischargedAt) {
    const dischargedAt = visits.dischargedAt;
    const offered = rng.chance(0.75);
    const offer = offered
      ? officeSlot(calendar, rng, calendar.dayOf(dischargedAt), rng.int(1, 9))
      : undefined;
    rows.push({
      id: input.ids.next(),
      patient_id: input.patientId,
      clinician_id: input.care.prescribers[0]
        ? rng.pick(input.care.prescribers)
        : (clinician ?? null),
      provider_id: null,
      session_id: null,
      kind: 'discharge_follow_up',
      urgency: 'non_urgent',
      prior_authorization: false,
      requested_at: dischargedAt,
      first_offered_at: offer?.at ?? null,
      starts_at: offer?.at ?? null,
      // A quarter have no offer yet: the care gap Continuity exists to close.
      ...(offer ? statusAt(rng, offer.at, now) : { status: 'requested', cancelled_by: null }),
      interval_override_note: null,
    });
  }
  return rows;
}
