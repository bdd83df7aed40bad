import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { disciplines } from '../vocabulary/vocabulary.domain.ts';
import { localDateOf } from '../../shared/clock.ts';
import { followUpWindow } from '../matching/risk.domain.ts';
import {
  addCalendarDays,
  businessCalendar,
  startOfLocalDay,
  withClosures,
} from './calendar.domain.ts';
import {
  assess,
  evaluateAccess,
  reschedulingRequest,
  standardFor,
  type AccessRequest,
  type DischargeFollowUp,
  type Offer,
  type Verdict,
} from './rules.domain.ts';

const calendar = businessCalendar({ fromYear: 2024, toYear: 2027 });
const t = (iso: string): Date => new Date(iso);

/** Monday 3 March 2025, 10:00 PST: an lcsw initial request, nothing else yet. */
function buildRequest(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    kind: 'initial',
    urgency: 'non_urgent',
    priorAuthorization: false,
    discipline: 'lcsw',
    requestedAt: t('2025-03-03T18:00:00Z'),
    priorAppointmentAt: null,
    offers: [],
    intervalOverrideNote: null,
    cancellation: null,
    patientDeclinedAt: null,
    ...overrides,
  };
}

function offer(startsAt: string, madeAt = '2025-03-04T18:00:00Z'): Offer {
  return { madeAt: t(madeAt), startsAt: t(startsAt) };
}

function verdictOf(request: AccessRequest, now: string): Verdict | null {
  const [assessment] = assess(request, calendar, t(now));
  return assessment?.verdict ?? null;
}

// Deadlines for the request above, worked out by hand:
// 10 business days: 4–7, 10–14, 17 March → the first late instant is Tue 18 March 00:00 PDT.
const tenDays = t('2025-03-18T07:00:00Z');
// 15 business days: … 18–21, 24 March → Tue 25 March 00:00 PDT.
const fifteenDays = t('2025-03-25T07:00:00Z');

describe('non-urgent initial appointment', () => {
  it.each<{ case: string; request: Partial<AccessRequest>; now: string; verdict: Verdict }>([
    {
      case: 'an offer on the 10th business day is met, before it takes place',
      request: { offers: [offer('2025-03-17T23:00:00Z')] },
      now: '2025-03-05T00:00:00Z',
      verdict: { status: 'met', at: t('2025-03-17T23:00:00Z'), deadline: tenDays },
    },
    {
      case: 'the earliest offer counts, not the later one booked',
      request: { offers: [offer('2025-03-26T17:00:00Z'), offer('2025-03-12T17:00:00Z')] },
      now: '2025-03-30T00:00:00Z',
      verdict: { status: 'met', at: t('2025-03-12T17:00:00Z'), deadline: tenDays },
    },
    {
      case: 'an offer on the 11th business day is missed',
      request: { offers: [offer('2025-03-18T16:00:00Z')] },
      now: '2025-03-20T00:00:00Z',
      verdict: { status: 'missed', deadline: tenDays, firstOfferAt: t('2025-03-18T16:00:00Z') },
    },
    {
      case: 'a late offer leaves the clock pending while time remains',
      request: { offers: [offer('2025-03-18T16:00:00Z')] },
      now: '2025-03-10T00:00:00Z',
      verdict: { status: 'pending', deadline: tenDays },
    },
    {
      case: 'no offer, one second before the deadline: pending',
      request: {},
      now: '2025-03-18T06:59:59Z',
      verdict: { status: 'pending', deadline: tenDays },
    },
    {
      case: 'no offer at the deadline: missed',
      request: {},
      now: '2025-03-18T07:00:00Z',
      verdict: { status: 'missed', deadline: tenDays, firstOfferAt: null },
    },
    {
      case: 'an offer not yet made does not count',
      request: { offers: [offer('2025-03-14T17:00:00Z', '2025-03-12T17:00:00Z')] },
      now: '2025-03-11T00:00:00Z',
      verdict: { status: 'pending', deadline: tenDays },
    },
    {
      case: 'a psychiatrist has 15 business days',
      request: { discipline: 'psychiatrist', offers: [offer('2025-03-24T17:00:00Z')] },
      now: '2025-03-26T00:00:00Z',
      verdict: { status: 'met', at: t('2025-03-24T17:00:00Z'), deadline: fifteenDays },
    },
    {
      case: 'a psychiatric nurse practitioner is not a physician: 10 days',
      request: { discipline: 'psychiatric_np', offers: [offer('2025-03-24T17:00:00Z')] },
      now: '2025-03-26T00:00:00Z',
      verdict: { status: 'missed', deadline: tenDays, firstOfferAt: t('2025-03-24T17:00:00Z') },
    },
  ])('$case', ({ request, now, verdict }) => {
    expect(verdictOf(buildRequest(request), now)).toEqual(verdict);
  });
});

describe('urgent appointment', () => {
  const urgent = { urgency: 'urgent' } as const;
  it.each<{ case: string; request: Partial<AccessRequest>; now: string; verdict: Verdict }>([
    {
      case: 'without prior authorization, an offer after 47 hours is met',
      request: { ...urgent, offers: [offer('2025-03-05T17:00:00Z', '2025-03-03T20:00:00Z')] },
      now: '2025-03-06T00:00:00Z',
      verdict: {
        status: 'met',
        at: t('2025-03-05T17:00:00Z'),
        deadline: t('2025-03-05T18:00:00Z'),
      },
    },
    {
      case: 'without prior authorization, an offer at exactly 48 hours is late',
      request: { ...urgent, offers: [offer('2025-03-05T18:00:00Z', '2025-03-03T20:00:00Z')] },
      now: '2025-03-06T00:00:00Z',
      verdict: {
        status: 'missed',
        deadline: t('2025-03-05T18:00:00Z'),
        firstOfferAt: t('2025-03-05T18:00:00Z'),
      },
    },
    {
      case: 'with prior authorization, 95 hours is met',
      request: { ...urgent, priorAuthorization: true, offers: [offer('2025-03-07T17:00:00Z')] },
      now: '2025-03-08T00:00:00Z',
      verdict: {
        status: 'met',
        at: t('2025-03-07T17:00:00Z'),
        deadline: t('2025-03-07T18:00:00Z'),
      },
    },
    {
      case: 'the same 95 hours without prior authorization is missed',
      request: { ...urgent, offers: [offer('2025-03-07T17:00:00Z')] },
      now: '2025-03-08T00:00:00Z',
      verdict: {
        status: 'missed',
        deadline: t('2025-03-05T18:00:00Z'),
        firstOfferAt: t('2025-03-07T17:00:00Z'),
      },
    },
    {
      case: '48 elapsed hours across spring-forward (Sat 10:00 PST → Mon 11:00 PDT)',
      request: {
        ...urgent,
        requestedAt: t('2025-03-08T18:00:00Z'),
        offers: [offer('2025-03-10T17:30:00Z', '2025-03-09T18:00:00Z')],
      },
      now: '2025-03-11T00:00:00Z',
      verdict: {
        status: 'met',
        at: t('2025-03-10T17:30:00Z'),
        deadline: t('2025-03-10T18:00:00Z'),
      },
    },
    {
      case: 'an urgent follow-up is held to the urgent standard',
      request: { ...urgent, kind: 'follow_up', priorAppointmentAt: t('2025-02-20T18:00:00Z') },
      now: '2025-03-04T00:00:00Z',
      verdict: { status: 'pending', deadline: t('2025-03-05T18:00:00Z') },
    },
  ])('$case', ({ request, now, verdict }) => {
    expect(verdictOf(buildRequest(request), now)).toEqual(verdict);
  });
});

describe('non-urgent follow-up in a course of treatment (SB 221)', () => {
  // Prior appointment Thu 20 Nov 2025, 10:00 PST. 10 business days: 21, 24–26 Nov (Thanksgiving
  // and the day after are holidays), 1–5 and 8 Dec → first late instant Tue 9 Dec 00:00 PST.
  const prior = t('2025-11-20T18:00:00Z');
  const deadline = t('2025-12-09T08:00:00Z');
  const followUp = { kind: 'follow_up', priorAppointmentAt: prior, requestedAt: prior } as const;

  it.each<{ case: string; request: Partial<AccessRequest>; now: string; verdict: Verdict | null }>([
    {
      case: 'the next offer on the 10th business day after the prior appointment is met',
      request: { ...followUp, offers: [offer('2025-12-08T18:00:00Z', '2025-11-20T19:00:00Z')] },
      now: '2025-11-21T00:00:00Z',
      verdict: { status: 'met', at: t('2025-12-08T18:00:00Z'), deadline },
    },
    {
      case: 'the day after is missed',
      request: { ...followUp, offers: [offer('2025-12-09T18:00:00Z', '2025-11-20T19:00:00Z')] },
      now: '2025-12-10T00:00:00Z',
      verdict: { status: 'missed', deadline, firstOfferAt: t('2025-12-09T18:00:00Z') },
    },
    {
      case: 'a follow-up with a psychiatrist has no timely-access standard',
      request: { ...followUp, discipline: 'psychiatrist' },
      now: '2025-12-10T00:00:00Z',
      verdict: null,
    },
    {
      case: 'a follow-up outside a course of treatment has none either',
      request: { kind: 'follow_up' },
      now: '2025-12-10T00:00:00Z',
      verdict: null,
    },
  ])('$case', ({ request, now, verdict }) => {
    expect(verdictOf(buildRequest(request), now)).toEqual(verdict);
  });
});

describe('exceptions', () => {
  const note = 'Stable on current plan; a 4-week interval is clinically appropriate.';
  it.each<{ case: string; request: Partial<AccessRequest>; now: string; verdict: Verdict }>([
    {
      case: 'a documented clinically appropriate interval',
      request: { intervalOverrideNote: note },
      now: '2025-03-30T00:00:00Z',
      verdict: { status: 'excepted', reason: 'clinically_appropriate_interval', note },
    },
    {
      case: 'a blank note is no documentation',
      request: { intervalOverrideNote: '   ' },
      now: '2025-03-30T00:00:00Z',
      verdict: { status: 'missed', deadline: tenDays, firstOfferAt: null },
    },
    {
      case: 'a timely offer is met whatever the note says',
      request: { intervalOverrideNote: note, offers: [offer('2025-03-12T17:00:00Z')] },
      now: '2025-03-30T00:00:00Z',
      verdict: { status: 'met', at: t('2025-03-12T17:00:00Z'), deadline: tenDays },
    },
    {
      case: 'the patient cancelled before the deadline',
      request: { cancellation: { by: 'patient', at: t('2025-03-06T18:00:00Z') } },
      now: '2025-03-30T00:00:00Z',
      verdict: { status: 'excepted', reason: 'patient_cancelled' },
    },
    {
      case: 'a patient cancellation after the deadline excuses nothing',
      request: { cancellation: { by: 'patient', at: t('2025-03-19T18:00:00Z') } },
      now: '2025-03-30T00:00:00Z',
      verdict: { status: 'missed', deadline: tenDays, firstOfferAt: null },
    },
    {
      case: 'a provider cancellation (a strike) is never an exception',
      request: { cancellation: { by: 'provider', at: t('2025-03-06T18:00:00Z') } },
      now: '2025-03-30T00:00:00Z',
      verdict: { status: 'missed', deadline: tenDays, firstOfferAt: null },
    },
    {
      case: 'the patient declined to be seen in time',
      request: { patientDeclinedAt: t('2025-03-05T18:00:00Z') },
      now: '2025-03-30T00:00:00Z',
      verdict: { status: 'excepted', reason: 'patient_declined' },
    },
    {
      case: 'a declined timely offer is still the earliest offered: met',
      request: {
        offers: [offer('2025-03-10T17:00:00Z'), offer('2025-03-27T17:00:00Z')],
        patientDeclinedAt: t('2025-03-04T19:00:00Z'),
      },
      now: '2025-03-30T00:00:00Z',
      verdict: { status: 'met', at: t('2025-03-10T17:00:00Z'), deadline: tenDays },
    },
  ])('$case', ({ request, now, verdict }) => {
    expect(verdictOf(buildRequest(request), now)).toEqual(verdict);
  });
});

describe('rescheduling after a provider cancellation', () => {
  // Booked Tue 11 March; the provider cancels it on Thu 13 March, 13:00 PDT. 10 business days from
  // then: 14, 17–21, 24–27 March → first late instant Fri 28 March 00:00 PDT.
  const cancelled = buildRequest({
    offers: [offer('2025-03-11T17:00:00Z')],
    cancellation: { by: 'provider', at: t('2025-03-13T20:00:00Z') },
  });

  it('leaves the original clock as it was: met by the timely offer', () => {
    expect(verdictOf(cancelled, '2025-03-20T00:00:00Z')).toEqual({
      status: 'met',
      at: t('2025-03-11T17:00:00Z'),
      deadline: tenDays,
    });
  });

  it('starts a new clock at the cancellation', () => {
    const again = reschedulingRequest(cancelled, [
      offer('2025-03-27T17:00:00Z', '2025-03-14T17:00:00Z'),
    ]);
    expect(again && verdictOf(again, '2025-03-20T00:00:00Z')).toEqual({
      status: 'met',
      at: t('2025-03-27T17:00:00Z'),
      deadline: t('2025-03-28T07:00:00Z'),
    });
  });

  it('the new clock ignores the offer made before the cancellation', () => {
    const again = reschedulingRequest(cancelled, []);
    expect(again && verdictOf(again, '2025-03-31T00:00:00Z')).toEqual({
      status: 'missed',
      deadline: t('2025-03-28T07:00:00Z'),
      firstOfferAt: null,
    });
  });

  it('in a course of treatment, the new clock runs from the cancellation, not the last visit', () => {
    // Last visit Thu 20 Nov 2025; the next one is cancelled by the provider on Mon 1 Dec, 10:00
    // PST. 10 business days from then: 2–5, 8–12, 15 Dec → first late instant Tue 16 Dec 00:00 PST.
    const followUp = buildRequest({
      kind: 'follow_up',
      priorAppointmentAt: t('2025-11-20T18:00:00Z'),
      requestedAt: t('2025-11-20T18:00:00Z'),
      offers: [offer('2025-12-02T18:00:00Z', '2025-11-20T19:00:00Z')],
      cancellation: { by: 'provider', at: t('2025-12-01T18:00:00Z') },
    });
    const again = reschedulingRequest(followUp, []);
    expect(again && verdictOf(again, '2025-12-17T00:00:00Z')).toEqual({
      status: 'missed',
      deadline: t('2025-12-16T08:00:00Z'),
      firstOfferAt: null,
    });
  });

  it('a patient cancellation starts no rescheduling clock', () => {
    const byPatient = buildRequest({
      cancellation: { by: 'patient', at: t('2025-03-13T20:00:00Z') },
    });
    expect(reschedulingRequest(byPatient, [])).toBeNull();
  });
});

describe('follow-up after a psychiatric discharge (HEDIS FUH)', () => {
  // Discharged Fri 7 March 2025, 12:00 PST. Visits count from Sat 8 March 00:00 PST; the 7-day
  // window ends before Sat 15 March 00:00 PDT, the 30-day one before Mon 7 April 00:00 PDT.
  const seven = t('2025-03-15T07:00:00Z');
  const thirty = t('2025-04-07T07:00:00Z');
  const discharge = (visits: string[]): DischargeFollowUp => ({
    kind: 'discharge_follow_up',
    dischargedAt: t('2025-03-07T20:00:00Z'),
    visits: visits.map(t),
  });

  it.each<{ case: string; visits: string[]; now: string; verdicts: [Verdict, Verdict] }>([
    {
      case: 'a visit on the day of discharge does not count',
      visits: ['2025-03-07T23:00:00Z'],
      now: '2025-04-10T00:00:00Z',
      verdicts: [
        { status: 'missed', deadline: seven, firstOfferAt: null },
        { status: 'missed', deadline: thirty, firstOfferAt: null },
      ],
    },
    {
      case: 'a visit on the 7th day meets both',
      visits: ['2025-03-14T22:00:00Z'],
      now: '2025-04-10T00:00:00Z',
      verdicts: [
        { status: 'met', at: t('2025-03-14T22:00:00Z'), deadline: seven },
        { status: 'met', at: t('2025-03-14T22:00:00Z'), deadline: thirty },
      ],
    },
    {
      case: 'a visit on the 13th day meets only the 30-day window',
      visits: ['2025-03-20T18:00:00Z'],
      now: '2025-03-25T00:00:00Z',
      verdicts: [
        { status: 'missed', deadline: seven, firstOfferAt: t('2025-03-20T18:00:00Z') },
        { status: 'met', at: t('2025-03-20T18:00:00Z'), deadline: thirty },
      ],
    },
    {
      case: 'no visit yet, three days on: both pending',
      visits: [],
      now: '2025-03-10T00:00:00Z',
      verdicts: [
        { status: 'pending', deadline: seven },
        { status: 'pending', deadline: thirty },
      ],
    },
    {
      case: 'a visit still to come does not count yet',
      visits: ['2025-03-12T18:00:00Z'],
      now: '2025-03-10T00:00:00Z',
      verdicts: [
        { status: 'pending', deadline: seven },
        { status: 'pending', deadline: thirty },
      ],
    },
  ])('$case', ({ visits, now, verdicts }) => {
    expect(assess(discharge(visits), calendar, t(now))).toEqual([
      { standard: 'fuh_7_days', verdict: verdicts[0] },
      { standard: 'fuh_30_days', verdict: verdicts[1] },
    ]);
  });
});

describe('FUH windows agree with the calendar', () => {
  it('count from the local midnight after discharge to the one after the last day', () => {
    const la = 'America/Los_Angeles';
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 11, 31) }),
        fc.constantFrom(7 as const, 30 as const),
        (ms, days) => {
          const dischargedAt = new Date(ms);
          const day = localDateOf(dischargedAt, la);
          expect(followUpWindow(dischargedAt, days, la)).toEqual({
            countsFrom: startOfLocalDay(addCalendarDays(day, 1), la),
            dueBefore: startOfLocalDay(addCalendarDays(day, days + 1), la),
          });
        },
      ),
    );
  });
});

describe('standardFor', () => {
  it.each<{ request: Partial<AccessRequest>; standard: string | null }>([
    { request: {}, standard: 'initial_10_business_days' },
    { request: { discipline: 'psychiatrist' }, standard: 'initial_15_business_days' },
    { request: { urgency: 'urgent' }, standard: 'urgent_48_hours' },
    { request: { urgency: 'urgent', priorAuthorization: true }, standard: 'urgent_96_hours' },
    {
      request: { kind: 'follow_up', priorAppointmentAt: t('2025-03-01T18:00:00Z') },
      standard: 'follow_up_10_business_days',
    },
    { request: { kind: 'follow_up' }, standard: null },
  ])('$standard', ({ request, standard }) => {
    expect(standardFor(buildRequest(request))).toBe(standard);
  });
});

// Random requests in 2025–2026 with random offers, and a `now` up to 60 days on.
const hour = 3_600_000;
const arbitraryRequest = fc
  .record({
    requestedAt: fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 5, 30) }),
    kind: fc.constantFrom('initial', 'follow_up'),
    urgency: fc.constantFrom('urgent', 'non_urgent'),
    priorAuthorization: fc.boolean(),
    discipline: fc.constantFrom(...disciplines),
    inCourse: fc.boolean(),
    offers: fc.array(
      fc.record({
        made: fc.integer({ min: 0, max: 30 * 24 }),
        wait: fc.integer({ min: 0, max: 40 * 24 }),
      }),
      { maxLength: 3 },
    ),
  })
  .map((r): AccessRequest =>
    buildRequest({
      kind: r.kind,
      urgency: r.urgency,
      priorAuthorization: r.priorAuthorization,
      discipline: r.discipline,
      requestedAt: new Date(r.requestedAt),
      priorAppointmentAt: r.inCourse ? new Date(r.requestedAt) : null,
      offers: r.offers.map(({ made, wait }) => ({
        madeAt: new Date(r.requestedAt + made * hour),
        startsAt: new Date(r.requestedAt + (made + wait) * hour),
      })),
    }),
  );
const hoursLater = fc.integer({ min: 0, max: 60 * 24 });
const blankOrNoNote = fc.constantFrom(null, '', ' ', '\n\t');

function evaluate(request: AccessRequest, now: Date, cal = calendar): Verdict | null {
  const standard = standardFor(request);
  return standard === null ? null : evaluateAccess(request, standard, cal, now);
}

describe('rule properties', () => {
  it('adding a holiday never shortens a deadline nor turns met into anything else', () => {
    const holiday = fc.integer({ min: 0, max: 600 }).map((d) => addCalendarDays('2025-01-01', d));
    fc.assert(
      fc.property(arbitraryRequest, hoursLater, holiday, (request, later, date) => {
        const now = new Date(request.requestedAt.getTime() + later * hour);
        const before = evaluate(request, now);
        const after = evaluate(request, now, withClosures(calendar, [date]));
        if (before === null || after === null) return;
        if (before.status === 'met') expect(after.status).toBe('met');
        if ('deadline' in before && 'deadline' in after) {
          expect(after.deadline.getTime()).toBeGreaterThanOrEqual(before.deadline.getTime());
        }
      }),
    );
  });

  it('without a note (and no patient choice) nothing is excepted', () => {
    fc.assert(
      fc.property(arbitraryRequest, hoursLater, blankOrNoNote, (request, later, note) => {
        const now = new Date(request.requestedAt.getTime() + later * hour);
        const verdict = evaluate({ ...request, intervalOverrideNote: note }, now);
        expect(verdict?.status).not.toBe('excepted');
      }),
    );
  });

  it('a note never turns missed into met: it can only except what was not met', () => {
    fc.assert(
      fc.property(arbitraryRequest, hoursLater, (request, later) => {
        const now = new Date(request.requestedAt.getTime() + later * hour);
        const without = evaluate(request, now);
        const withNote = evaluate({ ...request, intervalOverrideNote: 'Documented.' }, now);
        if (without === null) return;
        if (without.status === 'met') expect(withNote).toEqual(without);
        else
          expect(withNote).toEqual({
            status: 'excepted',
            reason: 'clinically_appropriate_interval',
            note: 'Documented.',
          });
      }),
    );
  });

  it('a provider cancellation never makes an exception', () => {
    fc.assert(
      fc.property(arbitraryRequest, hoursLater, hoursLater, (request, cancelAfter, later) => {
        const at = new Date(request.requestedAt.getTime() + cancelAfter * hour);
        const now = new Date(request.requestedAt.getTime() + later * hour);
        const cancelled = evaluate({ ...request, cancellation: { by: 'provider', at } }, now);
        expect(cancelled).toEqual(evaluate(request, now));
      }),
    );
  });

  it('once met, a request stays met (a later offer can only bring the date forward)', () => {
    fc.assert(
      fc.property(arbitraryRequest, hoursLater, hoursLater, (request, a, b) => {
        const early = new Date(request.requestedAt.getTime() + Math.min(a, b) * hour);
        const late = new Date(request.requestedAt.getTime() + Math.max(a, b) * hour);
        const first = evaluate(request, early);
        if (first?.status !== 'met') return;
        const then = evaluate(request, late);
        expect(then?.status).toBe('met');
        if (then?.status === 'met') {
          expect(then.deadline).toEqual(first.deadline);
          expect(then.at.getTime()).toBeLessThanOrEqual(first.at.getTime());
        }
      }),
      { numRuns: 1000 },
    );
  });
});
