import { followUpWindow } from '../matching/risk.domain.ts';
import type { Discipline } from '../vocabulary/vocabulary.domain.ts';
import { physicianDisciplines } from '../vocabulary/vocabulary.domain.ts';
import type { BusinessCalendar } from './calendar.domain.ts';
import { addBusinessDays, addClockHours } from './calendar.domain.ts';

/**
 * The timely-access standards (28 CCR §1300.67.2.2, H&S Code §1367.03, SB 221) and the HEDIS
 * follow-up after a psychiatric discharge (FUH), as pure functions from a request's history to a
 * verdict at `now` (DOMAIN.md). Every wait runs from the start of the clock to the **earliest
 * appointment offered**, not the one booked: an offer counts once it has been made (`madeAt ≤
 * now`), even before the appointment takes place.
 */

export const standards = [
  'urgent_48_hours',
  'urgent_96_hours',
  'initial_10_business_days',
  'initial_15_business_days',
  'follow_up_10_business_days',
  'fuh_7_days',
  'fuh_30_days',
] as const;
export type Standard = (typeof standards)[number];
/** The standards measured on offers (FUH is measured on attended visits). */
export type AccessStandard = Exclude<Standard, 'fuh_7_days' | 'fuh_30_days'>;

/** Why a wait longer than the standard is allowed. */
export type ExceptionReason =
  /** The treating or referring provider documented that a longer interval will not harm the patient. */
  | 'clinically_appropriate_interval'
  /** The patient cancelled the appointment or the request. */
  | 'patient_cancelled'
  /** The patient turned down being seen within the standard (e.g. asked for a later date). */
  | 'patient_declined';

export type Verdict =
  | { status: 'met'; at: Date; deadline: Date }
  | { status: 'missed'; deadline: Date; firstOfferAt: Date | null }
  | { status: 'pending'; deadline: Date }
  | { status: 'excepted'; reason: ExceptionReason; note?: string };

/** An appointment offered in answer to a request. */
export interface Offer {
  /** When the offer was made; it counts only from then on. */
  madeAt: Date;
  /** When the offered appointment starts: what the standard measures. */
  startsAt: Date;
}

export interface Cancellation {
  by: 'patient' | 'provider';
  at: Date;
}

/** A request for an appointment (an initial one, or the next in a course of treatment). */
export interface AccessRequest {
  kind: 'initial' | 'follow_up';
  urgency: 'urgent' | 'non_urgent';
  priorAuthorization: boolean;
  /** The discipline of the provider the appointment is with: a psychiatrist has 15 days. */
  discipline: Discipline;
  /** By the patient or the treating provider; the clock starts here. */
  requestedAt: Date;
  /**
   * A follow-up in an ongoing course of treatment: the prior appointment, from which SB 221's
   * clock runs. Null when the patient is not in a course of treatment.
   */
  priorAppointmentAt: Date | null;
  offers: readonly Offer[];
  /** The provider's documented reason that a longer interval is clinically appropriate. */
  intervalOverrideNote: string | null;
  cancellation: Cancellation | null;
  /**
   * When the patient turned down being seen within the standard without a slot being recorded as
   * an offer. A declined slot is recorded as an offer instead, and then counts as the earliest
   * offered appointment: declining a timely offer is `met`, not an exception.
   */
  patientDeclinedAt: Date | null;
}

/** A discharge from psychiatric inpatient care and the attended follow-up visits after it. */
export interface DischargeFollowUp {
  kind: 'discharge_follow_up';
  dischargedAt: Date;
  /** Attended visits with a mental-health provider (telehealth and phone count). */
  visits: readonly Date[];
}

export type AppointmentHistory = AccessRequest | DischargeFollowUp;

/**
 * The standard a request is held to, or null when none applies: a non-urgent follow-up with a
 * psychiatrist, or one outside a course of treatment, has no timely-access standard (SB 221
 * covers non-physician providers).
 */
export function standardFor(request: AccessRequest): AccessStandard | null {
  const physician = physicianDisciplines.includes(request.discipline);
  if (request.urgency === 'urgent') {
    return request.priorAuthorization ? 'urgent_96_hours' : 'urgent_48_hours';
  }
  switch (request.kind) {
    case 'initial':
      return physician ? 'initial_15_business_days' : 'initial_10_business_days';
    case 'follow_up':
      return request.priorAppointmentAt !== null && !physician
        ? 'follow_up_10_business_days'
        : null;
  }
}

/**
 * The first instant that is too late under `standard`. Hours are elapsed time (an offer exactly
 * 48 hours after the request is late, as in the matching module's urgent deadline); business
 * days end at the local midnight after the n-th business day.
 */
export function deadlineFor(
  standard: AccessStandard,
  request: AccessRequest,
  calendar: BusinessCalendar,
): Date {
  switch (standard) {
    case 'urgent_48_hours':
      return addClockHours(request.requestedAt, 48);
    case 'urgent_96_hours':
      return addClockHours(request.requestedAt, 96);
    case 'initial_10_business_days':
      return addBusinessDays(calendar, request.requestedAt, 10);
    case 'initial_15_business_days':
      return addBusinessDays(calendar, request.requestedAt, 15);
    case 'follow_up_10_business_days':
      return addBusinessDays(calendar, request.priorAppointmentAt ?? request.requestedAt, 10);
  }
}

function clockStart(standard: AccessStandard, request: AccessRequest): Date {
  return standard === 'follow_up_10_business_days'
    ? (request.priorAppointmentAt ?? request.requestedAt)
    : request.requestedAt;
}

/** The start of the earliest appointment offered by `now` (and after the clock started). */
export function earliestOffer(
  offers: readonly Offer[],
  clockStartsAt: Date,
  now: Date,
): Date | null {
  let earliest: Date | null = null;
  for (const offer of offers) {
    if (offer.madeAt > now || offer.startsAt < clockStartsAt) continue;
    if (earliest === null || offer.startsAt < earliest) earliest = offer.startsAt;
  }
  return earliest;
}

/** A note counts only when it says something: blank text is no documentation. */
export function documentedNote(note: string | null): string | null {
  const trimmed = note?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/**
 * The verdict of a request under its standard at `now`, in this order:
 * 1. `met` when the earliest appointment offered by `now` starts before the deadline;
 * 2. `excepted` when the provider documented that a longer interval is clinically appropriate
 *    (the note is required);
 * 3. `excepted` when the patient cancelled, or declined to be seen in time, before the deadline.
 *    A cancellation by the provider (a disruption's included) is never an exception: the clock
 *    keeps running, and `reschedulingRequest` starts the one for the new appointment;
 * 4. `pending` until the deadline, then `missed`.
 */
export function evaluateAccess(
  request: AccessRequest,
  standard: AccessStandard,
  calendar: BusinessCalendar,
  now: Date,
): Verdict {
  const deadline = deadlineFor(standard, request, calendar);
  const earliest = earliestOffer(request.offers, clockStart(standard, request), now);
  if (earliest !== null && earliest < deadline) return { status: 'met', at: earliest, deadline };

  const note = documentedNote(request.intervalOverrideNote);
  if (note !== null) return { status: 'excepted', reason: 'clinically_appropriate_interval', note };

  const inTime = (at: Date | null | undefined): boolean => at != null && at <= now && at < deadline;
  if (request.cancellation?.by === 'patient' && inTime(request.cancellation.at)) {
    return { status: 'excepted', reason: 'patient_cancelled' };
  }
  if (inTime(request.patientDeclinedAt)) return { status: 'excepted', reason: 'patient_declined' };

  if (now < deadline) return { status: 'pending', deadline };
  return { status: 'missed', deadline, firstOfferAt: earliest };
}

/**
 * The request a provider's cancellation creates (§1367.03(a)(3): reschedule promptly): the same
 * kind of appointment, with the clock starting at the cancellation, as if it were a new request
 * (or, in a course of treatment, as if the last appointment were then). Null when the appointment
 * was not cancelled by the provider.
 */
export function reschedulingRequest(
  request: AccessRequest,
  offers: readonly Offer[],
): AccessRequest | null {
  const cancellation = request.cancellation;
  if (cancellation?.by !== 'provider') return null;
  return {
    ...request,
    requestedAt: cancellation.at,
    priorAppointmentAt: request.priorAppointmentAt === null ? null : cancellation.at,
    offers,
    intervalOverrideNote: null,
    cancellation: null,
    patientDeclinedAt: null,
  };
}

/**
 * HEDIS FUH: an attended visit from the day after the discharge through the 7th (or 30th) day, in
 * the organization's time zone. A visit on the day of discharge does not count. There is no
 * exception; `missed.firstOfferAt` is the first counted visit, if it came late.
 */
export function evaluateDischargeFollowUp(
  discharge: DischargeFollowUp,
  days: 7 | 30,
  timeZone: string,
  now: Date,
): Verdict {
  const window = followUpWindow(discharge.dischargedAt, days, timeZone);
  const first = earliestOffer(
    discharge.visits.map((at) => ({ madeAt: at, startsAt: at })),
    window.countsFrom,
    now,
  );
  const deadline = window.dueBefore;
  if (first !== null && first < deadline) return { status: 'met', at: first, deadline };
  if (now < deadline) return { status: 'pending', deadline };
  return { status: 'missed', deadline, firstOfferAt: first };
}

export interface Assessment {
  standard: Standard;
  verdict: Verdict;
}

/** Every standard a history is held to, with its verdict at `now` (none, one, or FUH's two). */
export function assess(
  history: AppointmentHistory,
  calendar: BusinessCalendar,
  now: Date,
): Assessment[] {
  if (history.kind === 'discharge_follow_up') {
    return [
      {
        standard: 'fuh_7_days',
        verdict: evaluateDischargeFollowUp(history, 7, calendar.timeZone, now),
      },
      {
        standard: 'fuh_30_days',
        verdict: evaluateDischargeFollowUp(history, 30, calendar.timeZone, now),
      },
    ];
  }
  const standard = standardFor(history);
  if (standard === null) return [];
  return [{ standard, verdict: evaluateAccess(history, standard, calendar, now) }];
}
